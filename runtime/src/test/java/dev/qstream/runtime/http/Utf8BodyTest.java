package dev.qstream.runtime.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Utf8BodyTest {

    private static byte[] with(byte... bad) {
        byte[] head = "ab ".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + bad.length + 1];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(bad, 0, out, head.length, bad.length);
        out[out.length - 1] = 'z';
        return out;
    }

    @Test
    void validTextOfEveryLengthDecodes() {
        String text = "caf\u00e9 \u20ac \ud83d\ude00 plain";
        assertThat(Utf8Body.decode(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(text);
        assertThat(Utf8Body.decode(new byte[0])).isEmpty();
    }

    @Test
    void invalidSequencesAreRefusedWithTheirOffset() {
        byte[][] invalid = {
                {(byte) 0xC3, 0x28},                                   // lead byte, no continuation
                {(byte) 0x80},                                         // a lone continuation byte
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},               // an encoded surrogate
                {(byte) 0xC0, (byte) 0xAF},                            // overlong
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},  // beyond U+10FFFF
                {(byte) 0xE2, (byte) 0x82},                            // truncated before the next character
        };
        for (byte[] bad : invalid) {
            assertThatThrownBy(() -> Utf8Body.decode(with(bad))).isInstanceOf(Utf8Body.InvalidUtf8Exception.class)
                    .hasMessage("request body is not valid UTF-8 (at byte 3)");
        }
        assertThatThrownBy(() -> Utf8Body.decode(new byte[] {'a', (byte) 0xE2, (byte) 0x82}))
                .hasMessage("request body is not valid UTF-8 (at byte 1)");
    }
}
