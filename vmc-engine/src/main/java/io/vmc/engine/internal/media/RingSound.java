package io.vmc.engine.internal.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What a ring plays, one cycle of it as 16-bit little-endian PCM that the player loops: a built-in
 * tone with its cadence, or a short RIFF/WAVE file an app supplied. The file comes from the guest,
 * so {@link #fromWav} is strict and bounded: it never allocates more than the input's size, and
 * every malformed header is an {@link IllegalArgumentException} saying what was seen.
 */
public record RingSound(byte[] pcm, int rate, int channels) {
    /** Largest WAV file accepted (it travels in one vmc.v1 frame). */
    public static final int MAX_WAV_BYTES = 192 * 1024;
    /** Longest sound accepted: a ring is a loop, not a song. */
    public static final int MAX_SECONDS = 10;
    public static final int MIN_RATE = 8000;
    public static final int MAX_RATE = 48000;
    /** Chunks before "data" we step over (LIST, fact...) before giving up. */
    static final int MAX_CHUNKS = 16;
    /** Built-in incoming-call tone, Hz. */
    public static final double RINGTONE_HZ = 880;
    /** Built-in ringback tone, Hz (ITU-T E.180's common 425 Hz). */
    public static final double RINGBACK_HZ = 425;
    private static final int TONE_RATE = 48000;

    /** Incoming call: {@link #RINGTONE_HZ}, 2 s on, 2 s off. */
    public static RingSound ringtone() {
        return tone(RINGTONE_HZ, 2000, 2000);
    }

    /** Outgoing call, the far end rings: {@link #RINGBACK_HZ}, 1 s on, 4 s off. */
    public static RingSound ringback() {
        return tone(RINGBACK_HZ, 1000, 4000);
    }

    static RingSound tone(double hz, int onMs, int offMs) {
        int on = TONE_RATE * onMs / 1000;
        int total = on + TONE_RATE * offMs / 1000;
        int ramp = TONE_RATE / 100; // 10 ms fade in and out: no clicks
        ByteBuffer b = ByteBuffer.allocate(total * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < on; i++) {
            double gain = Math.min(1.0, Math.min(i, on - 1 - i) / (double) ramp);
            b.putShort(i * 2, (short) Math.round(0.4 * 32767 * gain * Math.sin(2 * Math.PI * hz * i / TONE_RATE)));
        }
        return new RingSound(b.array(), TONE_RATE, 1);
    }

    /**
     * Parses a RIFF/WAVE file of 16-bit PCM (format 1, or WAVE_FORMAT_EXTENSIBLE), 1 or 2 channels,
     * {@link #MIN_RATE}..{@link #MAX_RATE} Hz, at most {@link #MAX_WAV_BYTES} and {@link #MAX_SECONDS}.
     */
    public static RingSound fromWav(byte[] wav) {
        if (wav.length > MAX_WAV_BYTES) {
            throw new IllegalArgumentException("wav of " + wav.length + " bytes exceeds the allowed maximum (" + MAX_WAV_BYTES + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        if (wav.length < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
            throw new IllegalArgumentException("wav is not a RIFF/WAVE file");
        }
        int pos = 12;
        int channels = 0;
        int rate = 0;
        for (int chunk = 0; chunk < MAX_CHUNKS; chunk++) {
            if (pos + 8 > wav.length) break;
            int id = b.getInt(pos);
            long size = Integer.toUnsignedLong(b.getInt(pos + 4));
            int body = pos + 8;
            long avail = wav.length - body;
            if (id == 0x20746d66) { // "fmt "
                if (size < 16 || size > avail) throw new IllegalArgumentException("wav fmt chunk of " + size + " bytes (16.." + avail + " allowed)");
                int format = b.getShort(body) & 0xffff;
                channels = b.getShort(body + 2) & 0xffff;
                rate = b.getInt(body + 4);
                int blockAlign = b.getShort(body + 12) & 0xffff;
                int bits = b.getShort(body + 14) & 0xffff;
                if (format != 1 && format != 0xfffe || bits != 16) {
                    throw new IllegalArgumentException("wav must be 16-bit PCM (format " + format + ", " + bits + " bits)");
                }
                if (channels < 1 || channels > 2) throw new IllegalArgumentException("wav has " + channels + " channels (1 or 2 allowed)");
                if (rate < MIN_RATE || rate > MAX_RATE) {
                    throw new IllegalArgumentException("wav rate " + Integer.toUnsignedString(rate) + " Hz (" + MIN_RATE + ".." + MAX_RATE + " allowed)");
                }
                if (blockAlign != 2 * channels) throw new IllegalArgumentException("wav block align " + blockAlign + " for " + channels + " channels");
            } else if (id == 0x61746164) { // "data"
                if (channels == 0) throw new IllegalArgumentException("wav data chunk before its fmt chunk");
                if (size > avail) throw new IllegalArgumentException("wav data chunk of " + size + " bytes, only " + avail + " present");
                int frame = 2 * channels;
                int len = (int) (size - size % frame);
                if (len == 0) throw new IllegalArgumentException("wav has no samples");
                if (len / frame > (long) MAX_SECONDS * rate) {
                    throw new IllegalArgumentException("wav lasts " + (len / frame / rate) + " s (at most " + MAX_SECONDS + " s allowed)");
                }
                byte[] pcm = new byte[len];
                System.arraycopy(wav, body, pcm, 0, len);
                return new RingSound(pcm, rate, channels);
            }
            if (size > avail) throw new IllegalArgumentException("wav chunk of " + size + " bytes, only " + avail + " present");
            pos = (int) (body + size + (size & 1));
        }
        throw new IllegalArgumentException("wav has no data chunk within its first " + MAX_CHUNKS + " chunks");
    }

    public double durationSeconds() {
        return pcm.length / (2.0 * channels * rate);
    }
}
