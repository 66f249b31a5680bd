package io.vmc.agent.web;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Chromium's native messaging framing on the host's stdin and stdout: each message is a 32-bit
 * length in the machine's byte order, then that many bytes of UTF-8 JSON
 * (https://developer.chrome.com/docs/extensions/develop/concepts/native-messaging#native-messaging-host-protocol).
 */
public final class NativeMessaging {
    /** Largest message the host reads from the browser: 64 KiB (the extension sends a few words). */
    public static final int MAX_INBOUND_BYTES = 64 * 1024;
    /** Largest message a host may send to the browser: 1 MiB (Chromium's limit). */
    public static final int MAX_OUTBOUND_BYTES = 1024 * 1024;

    private NativeMessaging() {}

    /**
     * The next message, or null when the browser closed the stream between messages.
     *
     * @throws IOException on a length above {@link #MAX_INBOUND_BYTES} (nothing of it is read) or a
     *     stream that ends inside a message
     */
    public static byte[] read(InputStream in) throws IOException {
        byte[] header = in.readNBytes(4);
        if (header.length == 0) {
            return null;
        }
        if (header.length < 4) {
            throw new EOFException("the stream ended inside a message's length (" + header.length + " of 4 bytes)");
        }
        long length = Integer.toUnsignedLong(ByteBuffer.wrap(header).order(ByteOrder.nativeOrder()).getInt());
        if (length > MAX_INBOUND_BYTES) {
            throw new IOException("message length " + length + " exceeds the allowed maximum (" + MAX_INBOUND_BYTES + ")");
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new EOFException("the stream ended inside a message (" + body.length + " of " + length + " bytes)");
        }
        return body;
    }

    /** Writes one message and flushes. @throws IllegalArgumentException above {@link #MAX_OUTBOUND_BYTES} */
    public static void write(OutputStream out, byte[] message) throws IOException {
        if (message.length > MAX_OUTBOUND_BYTES) {
            throw new IllegalArgumentException("message of " + message.length + " bytes exceeds the browser's maximum (" + MAX_OUTBOUND_BYTES + ")");
        }
        out.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(message.length).array());
        out.write(message);
        out.flush();
    }
}
