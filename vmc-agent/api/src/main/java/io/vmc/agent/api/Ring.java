package io.vmc.agent.api;

import java.time.Duration;
import java.util.Objects;

/**
 * A ring the thin client plays on the device the user chose for ringing ({@link Vmc#selectRinger}),
 * not in the VM: a ringtone for an incoming call, a ringback while the far end rings, or a short
 * sound of the app's own.
 *
 * <pre>{@code
 * MediaSession call = vmc.newSession(SessionOptions.audioOnly());   // on an incoming INVITE
 * vmc.startRing(Ring.builder().sound(Ring.Sound.RINGTONE).session(call).build());
 * // stops by itself when the call is answered (CONNECTED) or ends; or vmc.stopRing()
 * }</pre>
 */
public final class Ring {
    /** Largest WAV file the engine accepts. */
    public static final int MAX_WAV_BYTES = 192 * 1024;
    /** Longest ring the engine plays. */
    public static final Duration MAX_DURATION = Duration.ofMinutes(5);

    /** The built-in sounds. */
    public enum Sound {
        /** Incoming call: 880 Hz, 2 s on, 2 s off. */
        RINGTONE,
        /** Outgoing call, the far end rings: 425 Hz, 1 s on, 4 s off. */
        RINGBACK
    }

    private final Sound sound;
    private final byte[] wav;
    private final MediaSession session;
    private final Duration maxDuration;

    private Ring(Builder b) {
        this.sound = b.sound;
        this.wav = b.wav;
        this.session = b.session;
        this.maxDuration = b.maxDuration;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Sound sound() {
        return sound;
    }

    /** The app's WAV file (a copy), or null for the built-in {@link #sound()}. */
    public byte[] wav() {
        return wav == null ? null : wav.clone();
    }

    /** The call whose answer or end stops the ring, or null. */
    public MediaSession session() {
        return session;
    }

    /** Null: the engine's default (60 s). */
    public Duration maxDuration() {
        return maxDuration;
    }

    /** Builds a {@link Ring}; everything is optional (default: the built-in ringtone for 60 s). */
    public static final class Builder {
        private Sound sound = Sound.RINGTONE;
        private byte[] wav;
        private MediaSession session;
        private Duration maxDuration;

        private Builder() {}

        public Builder sound(Sound sound) {
            this.sound = Objects.requireNonNull(sound, "sound must not be null");
            return this;
        }

        /**
         * The app's own sound instead of {@link #sound}: a RIFF/WAVE file of 16-bit PCM, 1 or 2
         * channels, 8000..48000 Hz, at most {@link #MAX_WAV_BYTES} and 10 s; it is looped. The
         * engine checks the content and refuses a bad file with INVALID_ARGUMENT.
         */
        public Builder wav(byte[] wav) {
            Objects.requireNonNull(wav, "wav must not be null");
            if (wav.length == 0 || wav.length > MAX_WAV_BYTES) {
                throw new IllegalArgumentException("wav must be 1.." + MAX_WAV_BYTES + " bytes, was " + wav.length);
            }
            this.wav = wav.clone();
            return this;
        }

        public Builder session(MediaSession session) {
            this.session = Objects.requireNonNull(session, "session must not be null");
            return this;
        }

        public Builder maxDuration(Duration maxDuration) {
            Objects.requireNonNull(maxDuration, "maxDuration must not be null");
            if (maxDuration.toMillis() < 1 || maxDuration.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("maxDuration must be 1 ms.." + MAX_DURATION + ", was " + maxDuration);
            }
            this.maxDuration = maxDuration;
            return this;
        }

        public Ring build() {
            return new Ring(this);
        }
    }
}
