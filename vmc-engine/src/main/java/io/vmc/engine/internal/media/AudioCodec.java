package io.vmc.engine.internal.media;

import java.util.Locale;
import java.util.Optional;

/** The audio codecs the engine speaks, with their SDP names and GStreamer elements. */
public enum AudioCodec {
    OPUS("opus", 48000, 2, 111, 48000,
            "audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 ! opusenc bitrate=32000 inband-fec=true dtx=%DTX% frame-size=20 audio-type=voice ! rtpopuspay pt=%PT% mtu=1200",
            "rtpopusdepay ! opusdec plc=true use-inband-fec=%FEC%", "OPUS"),
    G722("G722", 8000, 1, 9, 16000,
            "audioconvert ! audioresample ! audio/x-raw,rate=16000,channels=1 ! avenc_g722 ! rtpg722pay pt=%PT% min-ptime=20000000 max-ptime=20000000 mtu=1200",
            "rtpg722depay ! avdec_g722", "G722"),
    PCMU("PCMU", 8000, 1, 0, 8000,
            "audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay pt=%PT% min-ptime=20000000 max-ptime=20000000 mtu=1200",
            "rtppcmudepay ! mulawdec", "PCMU"),
    PCMA("PCMA", 8000, 1, 8, 8000,
            "audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay pt=%PT% min-ptime=20000000 max-ptime=20000000 mtu=1200",
            "rtppcmadepay ! alawdec", "PCMA");

    /** RFC 4733 telephone events. */
    public static final String TELEPHONE_EVENT = "telephone-event";

    private final String sdpName;
    private final int clockRate;
    private final int channels;
    private final int defaultPayloadType;
    private final int sampleRate;
    private final String encoder;
    private final String decoder;
    private final String gstEncodingName;

    AudioCodec(String sdpName, int clockRate, int channels, int defaultPayloadType, int sampleRate,
               String encoder, String decoder, String gstEncodingName) {
        this.sdpName = sdpName;
        this.clockRate = clockRate;
        this.channels = channels;
        this.defaultPayloadType = defaultPayloadType;
        this.sampleRate = sampleRate;
        this.encoder = encoder;
        this.decoder = decoder;
        this.gstEncodingName = gstEncodingName;
    }

    public String sdpName() { return sdpName; }
    /** RTP clock rate as written in rtpmap (G.722 says 8000 for historical reasons, RFC 3551). */
    public int clockRate() { return clockRate; }
    public int channels() { return channels; }
    public int defaultPayloadType() { return defaultPayloadType; }
    /** Real audio sample rate of the codec. */
    public int sampleRate() { return sampleRate; }
    public String gstEncodingName() { return gstEncodingName; }

    public String encoderChain(int pt, boolean dtx) {
        return encoder.replace("%PT%", Integer.toString(pt)).replace("%DTX%", Boolean.toString(dtx));
    }

    /** @param fec decode Opus in-band FEC: recovers single losses but holds every frame back 20 ms */
    public String decoderChain(boolean fec) { return decoder.replace("%FEC%", Boolean.toString(fec)); }

    public String rtpCaps(int pt) {
        return "application/x-rtp,media=audio,clock-rate=" + clockRate + ",encoding-name=" + gstEncodingName
                + ",payload=" + pt + (this == OPUS ? ",encoding-params=(string)2" : "");
    }

    /** Matches an SDP encoding name and clock rate (case-insensitive per RFC 4855). */
    public static Optional<AudioCodec> fromSdp(String name, int clockRate) {
        for (AudioCodec c : values()) {
            if (c.sdpName.equalsIgnoreCase(name) && c.clockRate == clockRate) return Optional.of(c);
        }
        return Optional.empty();
    }

    /** Matches a codec name from SessionOptions ("opus", "PCMU", "g722"...). */
    public static Optional<AudioCodec> fromName(String name) {
        for (AudioCodec c : values()) {
            if (c.sdpName.equalsIgnoreCase(name) || c.name().equalsIgnoreCase(name.toUpperCase(Locale.ROOT))) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
