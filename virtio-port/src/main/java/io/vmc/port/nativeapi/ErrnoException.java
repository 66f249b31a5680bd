package io.vmc.port.nativeapi;

import java.io.IOException;

/** A failed libc call: which call and the errno it left. */
public final class ErrnoException extends IOException {

    private final int errno;

    public ErrnoException(String call, int errno) {
        super(call + " failed: " + Posix.describe(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
