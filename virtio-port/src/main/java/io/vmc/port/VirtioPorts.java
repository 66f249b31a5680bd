package io.vmc.port;

import io.vmc.port.nativeapi.Posix;
import java.io.IOException;
import java.util.Optional;

/**
 * Probe for the guest end: tells whether {@link VirtioPort} can work here before anything touches
 * native code, so that a missing JNA or libc, or a missing port, never breaks class loading and
 * the caller gets a message saying what to install or configure.
 */
public final class VirtioPorts {

    private static final Throwable UNAVAILABILITY_CAUSE = probe();

    private VirtioPorts() {
    }

    private static Throwable probe() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return new UnsupportedOperationException("virtio ports are supported on Linux guests only (this is "
                    + os + "; Windows guests, \\\\.\\Global\\NAME, are future work)");
        }
        try {
            Posix.load();
            return null;
        } catch (Throwable t) { // NoClassDefFoundError (no JNA jar), UnsatisfiedLinkError (no libjnidispatch)
            return new UnsupportedOperationException("native access through JNA is unavailable (" + t
                    + "); put jna-5.x on the class path and make sure its temporary directory (jna.tmpdir,"
                    + " java.io.tmpdir) is writable and not mounted noexec", t);
        }
    }

    /** Whether native access works here (Linux, JNA and libc loadable). Says nothing about ports. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why {@link #isAvailable()} is false, or {@code null}. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** Throws {@link #unavailabilityCause()} wrapped in an {@link IOException} if there is one. */
    public static void requireAvailable() throws IOException {
        if (UNAVAILABILITY_CAUSE != null) {
            throw new IOException(UNAVAILABILITY_CAUSE.getMessage(), UNAVAILABILITY_CAUSE);
        }
    }

    /** Whether the port {@code name} exists in this guest (pure file-system check, no native code). */
    public static boolean isPortPresent(String name) {
        return findPort(name).isPresent();
    }

    /** The device node for {@code name} on this machine, if any. */
    public static Optional<java.nio.file.Path> findPort(String name) {
        try {
            return VirtioPortLocator.system().find(name);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
