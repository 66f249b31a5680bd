package io.vmc.port.spice;

import io.vmc.port.spice.nativeapi.SpiceNative;
import java.util.Objects;
import java.util.Optional;

/**
 * Entry point: opens SPICE sessions through spice-gtk in this process.
 *
 * <pre>{@code
 * if (!SpiceClient.isAvailable()) {
 *     log.error("no SPICE client library: {}", SpiceClient.unavailabilityCause().getMessage());
 * }
 * SpiceSession s = SpiceClient.open(SpiceOptions.builder("spice://vdi:5900").build());
 * s.addListener(myListener);
 * StreamPort port = s.portChannel(SpiceClient.VMC_PORT_NAME);
 * }</pre>
 */
public final class SpiceClient {

    /** The port channel VMC uses (the guest's virtio-serial port of the same name). */
    public static final String VMC_PORT_NAME = "org.spice-space.vmc.0";

    private SpiceClient() {
    }

    /** Whether spice-glib can be loaded (the display additionally needs {@link #isDisplayAvailable()}). */
    public static boolean isAvailable() {
        return SpiceNative.glibUnavailability().isEmpty();
    }

    /** Whether spice-gtk and GTK 3 can be loaded for the display window. */
    public static boolean isDisplayAvailable() {
        return SpiceNative.gtkUnavailability().isEmpty();
    }

    /** Why {@link #isAvailable()} is false; {@code null} when it is true. */
    public static Throwable unavailabilityCause() {
        return SpiceNative.glibUnavailability().orElse(null);
    }

    /** spice-gtk's version, if it is available. */
    public static Optional<String> version() {
        return isAvailable() ? Optional.of(SpiceNative.version()) : Optional.empty();
    }

    /**
     * Opens a session and starts connecting; progress and errors reach the session's listeners.
     * Add listeners right away: {@code connected} comes from the loop thread, later.
     *
     * @throws IllegalStateException if the libraries are missing or the window cannot be shown
     */
    public static SpiceSession open(SpiceOptions options) {
        return open(options, null);
    }

    /**
     * Like {@link #open(SpiceOptions)}, with a listener that is in place before the first event.
     */
    public static SpiceSession open(SpiceOptions options, SpiceSessionListener listener) {
        Objects.requireNonNull(options, "options must not be null");
        Optional<Throwable> missing = options.showDisplay() ? SpiceNative.gtkUnavailability()
                : SpiceNative.glibUnavailability();
        if (missing.isPresent()) {
            throw new IllegalStateException("cannot open " + options.uri() + ": " + missing.get().getMessage(),
                    missing.get());
        }
        GLoop loop = GLoop.get();
        SpiceSession s = new SpiceSession(loop, options);
        if (listener != null) {
            s.addListener(listener);
        }
        loop.call(() -> {
            s.start();
            return null;
        });
        return s;
    }
}
