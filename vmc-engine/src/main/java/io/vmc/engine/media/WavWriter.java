package io.vmc.engine.media;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes 16-bit little-endian PCM to a WAV file. The header is rewritten on {@link #flush()} and
 * {@link #close()}, so a file is readable while it grows and complete after close.
 */
public final class WavWriter implements AutoCloseable {
    private final RandomAccessFile file;
    private final int sampleRate;
    private final int channels;
    private long dataBytes;

    public WavWriter(Path path, int sampleRate, int channels) throws IOException {
        this.file = new RandomAccessFile(path.toFile(), "rw");
        this.file.setLength(0);
        this.sampleRate = sampleRate;
        this.channels = channels;
        writeHeader();
    }

    public synchronized void write(byte[] pcm16le, int off, int len) throws IOException {
        file.seek(44 + dataBytes);
        file.write(pcm16le, off, len);
        dataBytes += len;
    }

    public synchronized void flush() throws IOException {
        writeHeader();
    }

    public synchronized long dataBytes() {
        return dataBytes;
    }

    private void writeHeader() throws IOException {
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0x46464952).putInt((int) (36 + dataBytes)).putInt(0x45564157);
        h.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) channels)
         .putInt(sampleRate).putInt(sampleRate * channels * 2).putShort((short) (channels * 2)).putShort((short) 16);
        h.putInt(0x61746164).putInt((int) dataBytes);
        file.seek(0);
        file.write(h.array());
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            writeHeader();
        } finally {
            file.close();
        }
    }
}
