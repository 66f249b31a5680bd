package io.vmc.agent.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a new {@link MediaSession} negotiates: media kinds, codec preferences, encryption.
 *
 * <pre>{@code
 * MediaSession call = vmc.newSession(SessionOptions.audioOnly());
 * MediaSession video = vmc.newSession(SessionOptions.builder()
 *         .audio(true).video(true)
 *         .audioCodecs(List.of("opus", "PCMU"))
 *         .label("call to bob")
 *         .build());
 * }</pre>
 *
 * <p>Immutable. The builder validates every parameter when it is set.
 */
public final class SessionOptions {
    /** Longest accepted {@link Builder#label(String)}. */
    public static final int MAX_LABEL_LENGTH = 128;
    /** Most codec names in one preference list. */
    public static final int MAX_CODECS = 16;
    /** Most {@link Builder#stunSources(List)}. */
    public static final int MAX_STUN_SOURCES = 8;

    private static final Pattern CODEC_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,31}");

    private final boolean audio;
    private final boolean video;
    private final List<String> audioCodecs;
    private final List<String> videoCodecs;
    private final SrtpPolicy srtp;
    private final String label;
    private final List<java.net.InetSocketAddress> stunSources;
    private final boolean dtlsSrtp;
    private final boolean screenShare;

    private SessionOptions(Builder b) {
        this.screenShare = b.screenShare;
        this.dtlsSrtp = b.dtlsSrtp;
        this.audio = b.audio;
        this.video = b.video;
        this.audioCodecs = List.copyOf(b.audioCodecs);
        this.videoCodecs = List.copyOf(b.videoCodecs);
        this.srtp = b.srtp;
        this.label = b.label;
        this.stunSources = List.copyOf(b.stunSources);
    }

    /** One audio stream, engine default codecs, SRTP required. */
    public static SessionOptions audioOnly() {
        return builder().audio(true).build();
    }

    /** Audio and video, engine default codecs, SRTP required. */
    public static SessionOptions audioVideo() {
        return builder().audio(true).video(true).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this instance's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.audio = audio;
        b.video = video;
        b.audioCodecs = audioCodecs;
        b.videoCodecs = videoCodecs;
        b.srtp = srtp;
        b.label = label;
        b.stunSources = stunSources;
        b.dtlsSrtp = dtlsSrtp;
        return b;
    }

    public boolean audio() {
        return audio;
    }

    public boolean video() {
        return video;
    }

    /** Whether the video stream is a screen share ({@link MediaSession#startScreenShare}) rather than the camera. */
    public boolean screenShare() {
        return screenShare;
    }

    /** Preferred audio codecs, best first, SDP rtpmap names; empty means the engine's defaults. */
    public List<String> audioCodecs() {
        return audioCodecs;
    }

    /** Preferred video codecs, best first; empty means the engine's defaults. */
    public List<String> videoCodecs() {
        return videoCodecs;
    }

    public SrtpPolicy srtp() {
        return srtp;
    }

    /** Whether offers key SRTP with DTLS and bundle audio and video; see {@link Builder#dtlsSrtp(boolean)}. */
    public boolean dtlsSrtp() {
        return dtlsSrtp;
    }

    /** Free text shown in logs and {@code vmc status}; may be empty. */
    public String label() {
        return label;
    }

    /** Where the app's STUN requests leave from; see {@link Builder#stunSources(List)}. */
    public List<java.net.InetSocketAddress> stunSources() {
        return stunSources;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionOptions s && s.audio == audio && s.video == video
                && s.audioCodecs.equals(audioCodecs) && s.videoCodecs.equals(videoCodecs)
                && s.srtp == srtp && s.label.equals(label) && s.stunSources.equals(stunSources) && s.dtlsSrtp == dtlsSrtp;
    }

    @Override
    public int hashCode() {
        return Objects.hash(audio, video, audioCodecs, videoCodecs, srtp, label, stunSources, dtlsSrtp);
    }

    @Override
    public String toString() {
        return "SessionOptions{audio=" + audio + ", video=" + video + ", audioCodecs=" + audioCodecs
                + ", videoCodecs=" + videoCodecs + ", srtp=" + srtp + ", label='" + label + "'"
                + (stunSources.isEmpty() ? "" : ", stunSources=" + stunSources) + (dtlsSrtp ? ", dtlsSrtp" : "") + "}";
    }

    /** Builds {@link SessionOptions}; each setter validates its argument at once. */
    public static final class Builder {
        private boolean screenShare;
        private boolean audio;
        private boolean video;
        private List<String> audioCodecs = List.of();
        private List<String> videoCodecs = List.of();
        private SrtpPolicy srtp = SrtpPolicy.REQUIRED;
        private String label = "";
        private List<java.net.InetSocketAddress> stunSources = List.of();
        private boolean dtlsSrtp;

        private Builder() {}

        /**
         * The local UDP addresses from which this app sends STUN Binding requests (its SIP or RTP
         * sockets), for fake-stun in agentd: only requests from these sources, and only while this
         * session is open, are answered with the thin client's address. An unspecified address
         * ({@code 0.0.0.0}) matches the port on any local address. Unset: no translation.
         *
         * @throws IllegalArgumentException for more than {@value SessionOptions#MAX_STUN_SOURCES}
         *     sources, an unresolved address or port 0
         */
        public Builder stunSources(List<java.net.InetSocketAddress> sources) {
            Objects.requireNonNull(sources, "stunSources must not be null");
            if (sources.size() > MAX_STUN_SOURCES) {
                throw new IllegalArgumentException("stunSources: at most " + MAX_STUN_SOURCES + ", got " + sources.size());
            }
            for (java.net.InetSocketAddress a : sources) {
                Objects.requireNonNull(a, "stunSources entry must not be null");
                if (a.isUnresolved() || a.getPort() == 0) {
                    throw new IllegalArgumentException("stunSources entry must be an IP address with a port, got " + a);
                }
            }
            this.stunSources = List.copyOf(sources);
            return this;
        }

        public Builder audio(boolean audio) {
            this.audio = audio;
            return this;
        }

        public Builder video(boolean video) {
            this.video = video;
            return this;
        }

        /**
         * The video stream carries the thin client's picture of this VM's screen instead of the
         * camera (implies {@code video(true)}); nothing is sent before {@link MediaSession#startScreenShare}.
         */
        public Builder screenShare(boolean screenShare) {
            this.screenShare = screenShare;
            if (screenShare) this.video = true;
            return this;
        }

        /**
         * Audio codec preference, best first, e.g. {@code List.of("opus", "G722", "PCMU")}. Leave
         * unset for the engine's defaults.
         *
         * @throws IllegalArgumentException if the list is empty, too long, or holds a malformed name
         */
        public Builder audioCodecs(List<String> codecs) {
            this.audioCodecs = checkCodecs("audioCodecs", codecs);
            return this;
        }

        /** Video codec preference, best first, e.g. {@code List.of("VP8", "H264")}. */
        public Builder videoCodecs(List<String> codecs) {
            this.videoCodecs = checkCodecs("videoCodecs", codecs);
            return this;
        }

        public Builder srtp(SrtpPolicy srtp) {
            this.srtp = Objects.requireNonNull(srtp, "srtp must not be null");
            return this;
        }

        /**
         * Offers with DTLS-SRTP ({@code UDP/TLS/RTP/SAVPF}, {@code a=fingerprint}) and BUNDLE instead
         * of SDES keys: for WebRTC peers (browsers, SFUs, WebRTC gateways). Default false (SDES, what
         * SIP phones take). Answers follow the peer's offer either way. Not with {@link SrtpPolicy#DISABLED}.
         */
        public Builder dtlsSrtp(boolean dtlsSrtp) {
            this.dtlsSrtp = dtlsSrtp;
            return this;
        }

        /** Free text for logs and status, at most {@value SessionOptions#MAX_LABEL_LENGTH} characters. */
        public Builder label(String label) {
            Objects.requireNonNull(label, "label must not be null");
            if (label.length() > MAX_LABEL_LENGTH) {
                throw new IllegalArgumentException("label must be at most " + MAX_LABEL_LENGTH
                        + " characters, was " + label.length());
            }
            if (label.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("label must not contain control characters");
            }
            this.label = label;
            return this;
        }

        /** @throws IllegalStateException if neither audio nor video is enabled */
        public SessionOptions build() {
            if (!audio && !video) {
                throw new IllegalStateException("at least one of audio or video must be enabled");
            }
            if (!audio && !audioCodecs.isEmpty()) {
                throw new IllegalStateException("audioCodecs set but audio is disabled");
            }
            if (dtlsSrtp && srtp == SrtpPolicy.DISABLED) {
                throw new IllegalStateException("dtlsSrtp needs SRTP: srtp must not be DISABLED");
            }
            if (!video && !videoCodecs.isEmpty()) {
                throw new IllegalStateException("videoCodecs set but video is disabled");
            }
            return new SessionOptions(this);
        }

        private static List<String> checkCodecs(String name, List<String> codecs) {
            Objects.requireNonNull(codecs, name + " must not be null");
            if (codecs.isEmpty()) {
                throw new IllegalArgumentException(name + " must not be empty (leave it unset for the engine's defaults)");
            }
            if (codecs.size() > MAX_CODECS) {
                throw new IllegalArgumentException(name + " must hold at most " + MAX_CODECS + " codecs, had " + codecs.size());
            }
            List<String> copy = new ArrayList<>(codecs.size());
            for (String c : codecs) {
                if (c == null || !CODEC_NAME.matcher(c).matches()) {
                    throw new IllegalArgumentException(name + " holds a malformed codec name: '" + c
                            + "' (expected an SDP rtpmap name such as \"opus\" or \"PCMU\")");
                }
                if (copy.stream().anyMatch(c::equalsIgnoreCase)) {
                    throw new IllegalArgumentException(name + " lists '" + c + "' twice");
                }
                copy.add(c);
            }
            return List.copyOf(copy);
        }
    }
}
