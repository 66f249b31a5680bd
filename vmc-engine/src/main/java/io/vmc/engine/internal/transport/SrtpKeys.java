package io.vmc.engine.internal.transport;


/**
 * The SRTP master keys one DTLS association gave: ours (send) and the peer's (receive), each
 * master key followed by master salt, the layout {@link SrtpContext} takes for SDES keys too.
 */
public final class SrtpKeys {
    private final SrtpProfile profile;
    private final byte[] local;
    private final byte[] remote;

    SrtpKeys(SrtpProfile profile, byte[] localKeyAndSalt, byte[] remoteKeyAndSalt) {
        this.profile = profile;
        this.local = localKeyAndSalt.clone();
        this.remote = remoteKeyAndSalt.clone();
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** The {@link SrtpContext} suite name (what {@code MediaFlow.Params} carries as srtpSuite). */
    public String suite() {
        return profile.suite();
    }

    public byte[] localKeyAndSalt() {
        return local.clone();
    }

    public byte[] remoteKeyAndSalt() {
        return remote.clone();
    }

    /** A new SRTP context keyed with these keys (one per RTP session: audio and video each get one). */
    public SrtpContext newContext(int replayWindow) {
        return new SrtpContext(profile.suite(), local, remote, replayWindow);
    }

    @Override
    public String toString() {
        return "SrtpKeys[" + profile + "]"; // never the keys
    }
}
