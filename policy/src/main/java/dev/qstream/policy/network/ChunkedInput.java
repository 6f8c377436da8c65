package dev.qstream.policy.network;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Little-endian reads over a sequence of buffers as if they were one: how a model that arrived in chunks is parsed
 * without first copying the chunks into one blob. A value that straddles two buffers is put together byte by byte;
 * runs of floats inside one buffer are bulk copies. The buffers themselves are not changed (each is read through a
 * duplicate).
 */
final class ChunkedInput {

    private final ByteBuffer[] parts;
    private final long length;
    private int part;

    ChunkedInput(List<ByteBuffer> buffers) {
        parts = new ByteBuffer[buffers.size()];
        long sum = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = buffers.get(i).duplicate().order(ByteOrder.LITTLE_ENDIAN);
            sum += parts[i].remaining();
        }
        length = sum;
    }

    /** Bytes in all the buffers together. */
    long length() {
        return length;
    }

    int getInt() {
        ByteBuffer b = current();
        if (b.remaining() >= 4) {
            return b.getInt();
        }
        return (get() & 0xff) | (get() & 0xff) << 8 | (get() & 0xff) << 16 | (get() & 0xff) << 24;
    }

    long getLong() {
        ByteBuffer b = current();
        if (b.remaining() >= 8) {
            return b.getLong();
        }
        return (getInt() & 0xffffffffL) | ((long) getInt()) << 32;
    }

    void get(byte[] into) {
        for (int i = 0; i < into.length; i++) {
            into[i] = get();
        }
    }

    void getFloats(float[] into) {
        int at = 0;
        while (at < into.length) {
            ByteBuffer b = current();
            int run = Math.min(into.length - at, b.remaining() / 4);
            if (run > 0) {
                b.asFloatBuffer().get(into, at, run);
                b.position(b.position() + 4 * run);
                at += run;
            } else {
                into[at++] = Float.intBitsToFloat(getInt()); // a float split across two chunks
            }
        }
    }

    private byte get() {
        return current().get();
    }

    /** The buffer holding the next byte. */
    private ByteBuffer current() {
        while (part < parts.length && !parts[part].hasRemaining()) {
            part++;
        }
        if (part == parts.length) {
            throw new InvalidWeightsException("weight blob ends early");
        }
        return parts[part];
    }
}
