package io.vmc.it.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.agent.api.Mode;
import io.vmc.agent.api.ModeReason;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.it.lab.CallRig;
import io.vmc.it.lab.PacketCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alice holds a call, then her thin client's engine crashes (kill -9) and starts again: agentd
 * recreates the call on the new engine, and the call must come back held, on the wire (the move's
 * offer says a=sendonly, Bob sends no RTP while Alice does) and for the app (ON_HOLD, OPTIMIZED).
 */
@Timeout(300)
class HeldCallSurvivesEngineRestartIT {
    /** RTP (version 2, not an RTCP packet type 200-207, RFC 5761 section 4) from the host {@code src}. */
    static String rtpFrom(String src) {
        return "udp and src host " + src + " and (udp[8] & 0xc0) = 0x80 and ((udp[9] & 0x7f) < 72 or (udp[9] & 0x7f) > 79)";
    }

    @Test
    void aHeldCallComesBackHeldAfterTheEngineRestarts(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        try (CallRig rig = CallRig.start(dir, CallRig.Options.defaults());
                CallRig.Call call = rig.call(SessionOptions.audioOnly())) {
            call.awaitAudio(call.bob(), 50, Duration.ofSeconds(30));
            call.alice().hold();
            call.awaitState(call.alice(), SessionState.ON_HOLD, Duration.ofSeconds(30));
            call.awaitState(call.bob(), SessionState.ON_HOLD, Duration.ofSeconds(30));
            assertHeldOnTheWire(rig, call, dir.resolve("before"));

            rig.alice().engine().kill();
            rig.alice().startEngine();
            rig.alice().awaitOptimized();
            CallRig.await(Duration.ofSeconds(60), () -> call.renegotiations().size() >= 2, "the move's re-offer");
            assertThat(call.reoffers().get(call.reoffers().size() - 1)).as("the move's offer").contains("a=sendonly");
            call.awaitState(call.alice(), SessionState.ON_HOLD, Duration.ofSeconds(60));
            call.awaitState(call.bob(), SessionState.ON_HOLD, Duration.ofSeconds(60));
            assertThat(rig.alice().app().mode()).isEqualTo(Mode.OPTIMIZED);
            assertThat(rig.alice().app().modeReason()).isEqualTo(ModeReason.ENGINE_CONNECTED);
            assertThat(call.relayFailure()).isNull();
            assertHeldOnTheWire(rig, call, dir.resolve("after"));

            call.alice().resume(); // and the state that came back is a real one: resuming works
            call.awaitState(call.alice(), SessionState.CONNECTED, Duration.ofSeconds(30));
            call.awaitAudio(call.alice(), 50, Duration.ofSeconds(30));
        }
    }

    /** Alice (music on hold) sends RTP to Bob; Bob sends none back, seen on Alice's office link. */
    private static void assertHeldOnTheWire(CallRig rig, CallRig.Call call, Path prefix) throws Exception {
        String ns = rig.lab().clientA().namespace();
        List<String> link = List.of(rig.lab().clientA().officeInterface());
        try (PacketCapture fromBob = PacketCapture.start(ns, link, rtpFrom(rig.lab().clientB().officeAddress()), Path.of(prefix + "-bob.pcap"));
                PacketCapture fromAlice = PacketCapture.start(ns, link, rtpFrom(rig.lab().clientA().officeAddress()), Path.of(prefix + "-alice.pcap"))) {
            call.awaitAudio(call.bob(), 100, Duration.ofSeconds(30)); // two seconds of Alice's audio reach Bob
            fromBob.close();
            fromAlice.close();
            assertThat(fromAlice.count(null)).as("RTP from Alice").isGreaterThan(50);
            assertThat(fromBob.count(null)).as("RTP from Bob while held").isZero();
        }
    }
}
