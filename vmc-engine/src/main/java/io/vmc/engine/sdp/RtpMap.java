package io.vmc.engine.sdp;

/** {@code a=rtpmap:<pt> <encoding>/<clock>[/<channels>]}. */
public record RtpMap(int payloadType, String encoding, int clockRate, int channels) {
    @Override
    public String toString() {
        return payloadType + " " + encoding + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }
}
