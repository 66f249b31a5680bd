package io.vmc.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Builders and factories reject bad values at once, with messages naming the parameter. */
@Timeout(10)
class ValueTypesTest {

    @Test
    void sessionOptions() {
        assertThat(SessionOptions.audioOnly().audio()).isTrue();
        assertThat(SessionOptions.audioVideo().video()).isTrue();
        assertThatThrownBy(() -> SessionOptions.builder().audio(true).audioCodecs(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("audioCodecs must not be empty");
        assertThatThrownBy(() -> SessionOptions.builder().audioCodecs(List.of("opus", "bad name")))
                .hasMessageContaining("malformed codec name: 'bad name'");
        assertThatThrownBy(() -> SessionOptions.builder().audioCodecs(List.of("opus", "OPUS"))).hasMessageContaining("twice");
        assertThatThrownBy(() -> SessionOptions.builder().build()).hasMessageContaining("audio or video");
        assertThatThrownBy(() -> SessionOptions.builder().label("x".repeat(129))).hasMessageContaining("label must be at most 128");
        assertThatThrownBy(() -> SessionOptions.builder().label("a\nb")).hasMessageContaining("control characters");
        SessionOptions o = SessionOptions.builder().audio(true).audioCodecs(List.of("opus", "PCMU")).srtp(SrtpPolicy.OPTIONAL).label("bob").build();
        assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
    }

    @Test
    void iceCandidates() {
        IceCandidate c = IceCandidate.of("a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host", "0", 0);
        assertThat(c.candidate()).isEqualTo("1 1 udp 2130706431 127.0.0.1 40000 typ host");
        assertThat(IceCandidate.endOfCandidates().isEndOfCandidates()).isTrue();
        assertThatThrownBy(() -> IceCandidate.of("", "0", 0)).hasMessageContaining("candidate must not be empty");
        assertThatThrownBy(() -> IceCandidate.of("1 1 udp\r\na=evil", "0", 0)).hasMessageContaining("single line");
        assertThatThrownBy(() -> IceCandidate.of("1", "0", -1)).hasMessageContaining("mLineIndex");
        assertThatThrownBy(() -> IceCandidate.of("x".repeat(2000), "0", 0)).hasMessageContaining("at most 1024");
    }

    @Test
    void videoAreasAndRects() {
        VideoArea a = VideoArea.builder().area(Rect.of(10, 20, 640, 360)).screenSize(1920, 1080).build();
        assertThat(a.fullyVisible()).isTrue();
        assertThat(a.isHidden()).isFalse();
        assertThat(VideoArea.hidden(1).isHidden()).isTrue();
        VideoArea partly = VideoArea.builder().area(Rect.of(0, 0, 100, 100)).visibleRegions(List.of(Rect.of(0, 0, 50, 100))).build();
        assertThat(partly.fullyVisible()).isFalse();
        assertThat(partly.visibleRegions()).hasSize(1);
        assertThatThrownBy(() -> Rect.of(0, 0, -1, 5)).hasMessageContaining("width and height");
        assertThatThrownBy(() -> VideoArea.builder().build()).hasMessageContaining("area must be set");
        assertThatThrownBy(() -> VideoArea.builder().screenSize(0, 10)).hasMessageContaining("screen size");
        assertThatThrownBy(() -> VideoArea.builder().mappingId(300)).hasMessageContaining("mappingId");
    }

    @Test
    void aVideoAreaNamesItsMonitorAndTheEngineGetsIt() {
        VideoArea second = VideoArea.builder().area(Rect.of(10, 20, 640, 360)).screenSize(1280, 1024).monitor(2).build();
        assertThat(second.monitor()).isEqualTo(2);
        assertThat(second).isNotEqualTo(VideoArea.builder().area(Rect.of(10, 20, 640, 360)).screenSize(1280, 1024).build());
        assertThat(io.vmc.agent.internal.ProtoMapping.toProto("s1", second).getMonitor()).isEqualTo(2);
        assertThat(io.vmc.agent.internal.ProtoMapping.toProto("s1", VideoArea.hidden(1)).getMonitor()).isZero();
        assertThatThrownBy(() -> VideoArea.builder().monitor(17)).hasMessageContaining("0..16");
        assertThatThrownBy(() -> VideoArea.builder().monitor(-1)).hasMessageContaining("0..16");
    }

    @Test
    void devicesStatsAndStatus() {
        assertThatThrownBy(() -> Device.builder().id("x").build()).hasMessageContaining("kind must be set");
        assertThatThrownBy(() -> Device.builder().id("")).hasMessageContaining("id must be");
        assertThatThrownBy(() -> StreamStats.builder().fractionLost(1.5)).hasMessageContaining("fractionLost");
        assertThatThrownBy(() -> StreamStats.builder().packetsSent(-1)).hasMessageContaining("packetsSent must not be negative");
        assertThatThrownBy(() -> AgentStatus.of(Mode.FALLBACK, null, "", "", 0, List.of())).hasMessageContaining("reason");
        assertThat(ModeChange.of(Mode.OPTIMIZED, ModeReason.ENGINE_CONNECTED, "e").toString()).contains("OPTIMIZED");
        for (ModeReason r : ModeReason.values()) {
            assertThat(r.description()).isNotBlank();
        }
    }

    @Test
    void connectingWithoutAnAgentSaysWhy() {
        assertThatThrownBy(() -> Vmc.connect(java.nio.file.Path.of("/nonexistent/vmc.sock")))
                .isInstanceOf(VmcException.class).hasMessageContaining("no vmc-agentd socket at /nonexistent/vmc.sock")
                .extracting(e -> ((VmcException) e).reason()).isEqualTo(VmcException.Reason.UNAVAILABLE);
    }

    @Test
    void dtlsSrtpOffersNeedSrtpAndReachTheWire() {
        SessionOptions o = SessionOptions.builder().audio(true).video(true).dtlsSrtp(true).build();
        assertThat(o.dtlsSrtp()).isTrue();
        assertThat(o.toBuilder().build()).isEqualTo(o);
        assertThat(io.vmc.agent.internal.ProtoMapping.toProto(o).getDtlsSrtp()).isTrue();
        assertThat(SessionOptions.audioOnly().dtlsSrtp()).isFalse();
        assertThatThrownBy(() -> SessionOptions.builder().audio(true).dtlsSrtp(true).srtp(SrtpPolicy.DISABLED).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("dtlsSrtp");
    }
}
