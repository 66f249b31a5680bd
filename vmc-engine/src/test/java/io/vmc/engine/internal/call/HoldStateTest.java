package io.vmc.engine.internal.call;

import static io.vmc.engine.sdp.Direction.INACTIVE;
import static io.vmc.engine.sdp.Direction.RECVONLY;
import static io.vmc.engine.sdp.Direction.SENDONLY;
import static io.vmc.engine.sdp.Direction.SENDRECV;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.sdp.Direction;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** On hold (RFC 3264 section 8.4) against one-way by design: the peer's and the app's directions over a call's exchanges. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HoldStateTest {
    /** A call whose peer said these directions in turn, our app allowing {@code app}; the negotiated direction is the RFC 3264 answer. */
    static String after(Direction app, Direction... peer) {
        HoldState h = new HoldState();
        for (Direction d : peer) h.peerSaid(d);
        return h.reason(false, app, peer[peer.length - 1].reverse().intersect(app));
    }

    @Test
    void aOneWayCallByDesignIsNotOnHold() {
        assertThat(after(SENDRECV, SENDRECV)).isNull();
        assertThat(after(SENDRECV, RECVONLY)).as("the far end of a receive-only page").isNull();
        assertThat(after(RECVONLY, SENDONLY)).as("our app only receives").isNull();
        assertThat(after(RECVONLY, SENDRECV)).isNull();
        assertThat(after(INACTIVE, SENDRECV)).as("our app turned the kind off").isNull();
        assertThat(after(SENDONLY, SENDRECV)).as("our app only sends").isNull();
    }

    @Test
    void thePeerHoldsWhenItCutsAWayBothSidesAskedFor() {
        assertThat(after(SENDRECV, SENDRECV, SENDONLY)).as("RFC 3264 hold").contains("held by the peer").contains("recvonly");
        assertThat(after(SENDRECV, SENDRECV, INACTIVE)).contains("held by the peer").contains("inactive");
        // RFC 3264 cannot tell a first sendonly offer from one-way media: it is the hold a moved held call sends
        assertThat(after(SENDRECV, SENDONLY)).as("a hold in the first offer").contains("held by the peer");
        assertThat(after(SENDRECV, INACTIVE)).as("inactive from the start").contains("held by the peer");
        assertThat(after(SENDRECV, SENDRECV, RECVONLY)).as("the peer stopped sending").contains("held by the peer");
        assertThat(after(SENDRECV, RECVONLY, INACTIVE)).as("a receive-only page goes inactive").contains("held by the peer");
        assertThat(after(SENDRECV, SENDRECV, SENDONLY, SENDRECV)).as("and resumes").isNull();
        assertThat(after(RECVONLY, SENDRECV, SENDONLY)).as("it cut only what our app does not do").isNull();
    }

    @Test
    void weHoldWhateverThePeerSays() {
        HoldState h = new HoldState();
        h.peerSaid(RECVONLY);
        assertThat(h.reason(true, SENDRECV, SENDONLY)).contains("held here");
        assertThat(h.reason(false, SENDRECV, SENDONLY)).isNull();
    }
}
