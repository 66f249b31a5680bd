package io.vmc.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.internal.LiveCaptures.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The capture list and the status text, without a display. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LiveCapturesTest {
    final LiveCaptures captures = new LiveCaptures();
    final List<List<LiveCaptures.Shown>> seen = new ArrayList<>();

    @Test
    void aCaptureIsShownUntilItEnds() {
        captures.addView(seen::add);
        LiveCaptures.Capture mic = captures.show("softphone", Kind.MICROPHONE, "USB headset", () -> { });
        LiveCaptures.Capture screen = captures.show("meet", Kind.SCREEN, "screen 0", () -> { });
        assertThat(captures.live()).extracting(LiveCaptures.Shown::describe).containsExactly(
                "microphone \"USB headset\" live for app \"softphone\"", "screen \"screen 0\" live for app \"meet\"");
        mic.close();
        mic.close(); // twice: nothing more
        screen.close();
        assertThat(captures.live()).isEmpty();
        assertThat(seen).extracting(List::size).containsExactly(0, 1, 2, 1, 0);
        assertThat(mic.stoppedByUser()).isFalse();
    }

    @Test
    void theUsersStopRunsOnceAndRemovesIt() {
        AtomicInteger stops = new AtomicInteger();
        LiveCaptures.Capture cam = captures.show("softphone", Kind.CAMERA, "/dev/video0", stops::incrementAndGet);
        long id = captures.live().get(0).id();
        assertThat(captures.stop(id)).isTrue();
        assertThat(captures.stop(id)).as("a second click").isFalse();
        cam.close(); // the call ends later: no second change, no second stop
        assertThat(stops).hasValue(1);
        assertThat(cam.stoppedByUser()).isTrue();
        assertThat(captures.live()).isEmpty();
        assertThat(captures.stop(12345)).isFalse();
    }

    @Test
    void guestTextIsOneBoundedPlainLine() {
        captures.show("evil\napp\u202E<html><b>x", Kind.MICROPHONE, "x".repeat(500), () -> { });
        captures.show("  ", Kind.MICROPHONE, null, () -> { });
        LiveCaptures.Shown a = captures.live().get(0);
        assertThat(a.appId()).isEqualTo("evil app <html><b>x").doesNotContain("\n");
        assertThat(a.device()).hasSize(LiveCaptures.MAX_LABEL_CHARS + 1).endsWith("…");
        assertThat(captures.live().get(1).appId()).isEqualTo("(none)");
        assertThat(captures.live().get(1).device()).isEqualTo("(none)");
    }

    @Test
    void theStatusSaysWhatTheEngineDoes() {
        StatusBoard board = new StatusBoard("OPTIMIZED");
        List<List<String>> shown = new ArrayList<>();
        board.addView(shown::add);
        captures.addView(board::captures);
        assertThat(board.lines()).containsExactly("VM: no agent connected yet", "mode: OPTIMIZED", "calls: none",
                "last call not optimized: none", "devices in use: none");
        board.agentConnected("vmc-agentd 1.0");
        board.spice("connected to spice://vdi:5900");
        board.callStarted("s1", "softphone");
        board.callState("s1", "CONNECTED");
        board.callState("s9", "CONNECTED"); // an unknown call is not invented
        board.notOptimized("call from app \"x\" refused: camera denied by policy");
        captures.show("softphone", Kind.MICROPHONE, "USB headset", () -> { });
        assertThat(board.lines()).containsExactly(
                "VM: agent connected (vmc-agentd 1.0); SPICE connected to spice://vdi:5900", "mode: OPTIMIZED", "calls: 1",
                "  call s1 app \"softphone\": CONNECTED", "last call not optimized: call from app \"x\" refused: camera denied by policy",
                "devices in use: 1", "  microphone \"USB headset\" live for app \"softphone\"");
        int changes = shown.size();
        board.callState("s1", "CONNECTED"); // no change, no new text
        assertThat(shown).hasSize(changes);
        board.callEnded("s1");
        board.agentDisconnected("keepalive timeout");
        assertThat(board.lines()).contains("calls: none", "VM: agent disconnected: keepalive timeout (media keeps flowing);"
                + " SPICE connected to spice://vdi:5900");
    }
}
