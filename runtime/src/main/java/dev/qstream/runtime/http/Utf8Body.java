package dev.qstream.runtime.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A request body read as UTF-8, strictly. A lenient decode would turn invalid bytes into U+FFFD and let them into
 * prompts and training data unseen; JSON (RFC 8259) must be UTF-8, so invalid bytes are the client's error.
 */
public final class Utf8Body {

    private Utf8Body() {
    }

    /** Thrown for a body that is not valid UTF-8; the message says where (safe to show to the client). */
    public static final class InvalidUtf8Exception extends IllegalArgumentException {
        InvalidUtf8Exception(String message) {
            super(message);
        }
    }

    /**
     * @return the body as text
     * @throws InvalidUtf8Exception when any byte sequence is not UTF-8 (overlong forms and encoded surrogates included)
     */
    public static String decode(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidUtf8Exception("request body is not valid UTF-8 (at byte " + in.position() + ")");
        }
    }
}
