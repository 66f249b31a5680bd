package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.TestEngine;
import io.vmc.it.lab.Xvfb;
import io.vmc.it.qemu.GuestProcess;
import io.vmc.it.qemu.GuestVm;
import io.vmc.it.qemu.GuestVmExtension;
import io.vmc.port.spice.DisplayMonitor;
import io.vmc.port.spice.SpiceClient;
import io.vmc.port.spice.SpiceOptions;
import io.vmc.overlay.OverlaySupport;
import io.vmc.port.spice.SpiceSession;
import io.vmc.transport.proto.Rect;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One QXL device with two heads (QEMU {@code qxl-vga,max_outputs=2}, libvirt's
 * {@code <model type='qxl' heads='2'/>}) gives two windows, as remote-viewer does (issue 19). The
 * guest is the fixture's Linux with the host's {@code qxl} driver: {@code video=Virtual-2:...e}
 * forces the second output on (no spice-vdagent here to ask for it), the driver's console then
 * shows both heads (side by side on the device's one surface), {@code modetest} changes the second
 * head's mode, and the sysfs connector status turns it off and on again as a guest would. While
 * modetest's modes hold, a call's remote video placed on the guest's second head must be drawn in
 * the second head's window (the driver reports that head on its shadow surface, not where the
 * desktop has it: {@code MonitorLayout}).
 */
@Timeout(500)
class SpiceHeadsIT {
    static final int SPICE_PORT = freePort();
    static final String TITLE = "VMC heads test";

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension(GuestVm.builder()
            .kernelArgs("video=Virtual-1:1024x768", "video=Virtual-2:1024x768e")
            .qemuArgs("-device", "qxl-vga,max_outputs=2",
                    "-spice", "port=" + SPICE_PORT + ",addr=127.0.0.1,disable-ticketing=on"));

    private static int freePort() {
        try {
            return SpiceQemu.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void twoHeadsOfOneDeviceGiveTwoWindowsThatFollowTheGuest(@TempDir Path a, @TempDir Path b) throws Exception {
        Prerequisites.require(true, "Xvfb", "xdotool", "xwininfo", "modetest", "import");
        GuestVm vm = GUEST.vm();
        Xvfb xvfb = Xvfb.shared();
        SpiceSession session = SpiceClient.open(SpiceOptions.builder("spice://127.0.0.1:" + SPICE_PORT)
                .x11Display(xvfb.display()).title(TITLE).build(), new RecordingListener());
        try {
            await().atMost(Duration.ofSeconds(60)).until(session::isConnected);
            assertThat(session.displayWindowIds()).as("before the guest's driver: one head").hasSize(1);

            // the qxl driver comes up with both outputs on (its console cloned on both)
            GuestProcess modprobe = vm.run(List.of("modprobe", "qxl"), Map.of());
            assertThat(modprobe.waitFor(Duration.ofSeconds(120))).as("modprobe qxl: %s", modprobe.output()).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> session.displayWindowIds().size() == 2);
            List<Long> ids = session.displayWindowIds();
            assertThat(ids.get(0)).isEqualTo(session.displayWindowId().orElseThrow());
            assertThat(xvfb.run("xdotool", "search", "--name", TITLE).lines().map(Long::parseLong)).containsAll(ids);
            assertThat(xvfb.run("xwininfo", "-id", Long.toString(ids.get(0))))
                    .contains("\"" + TITLE + "\"").contains("Map State: IsViewable");
            assertThat(xvfb.run("xwininfo", "-id", Long.toString(ids.get(1))))
                    .contains("\"" + TITLE + " (display 2)\"").contains("Map State: IsViewable");
            await().atMost(Duration.ofSeconds(30)).until(() -> session.displayMonitors().size() == 2
                    && session.displayMonitors().stream().allMatch(m -> m.width() > 0));
            List<DisplayMonitor> heads = session.displayMonitors();
            System.out.println("SPICE-HEADS console " + heads);
            assertThat(heads).extracting(DisplayMonitor::channelId).containsExactly(0, 0);
            assertThat(heads).extracting(DisplayMonitor::monitorId).containsExactly(0, 1);
            assertThat(heads).extracting(DisplayMonitor::window).containsExactlyElementsOf(ids);
            // the qxl driver draws its heads side by side on one surface: each window shows its own part
            assertThat(area(heads.get(0))).isEqualTo(new Rectangle(0, 0, 1024, 768));
            assertThat(area(heads.get(1)).getSize()).isEqualTo(new java.awt.Dimension(1024, 768));
            assertThat(area(heads.get(0)).intersects(area(heads.get(1)))).as("apart: %s", heads).isFalse();

            // a program sets other modes (the second head 800x600): the areas follow
            // modetest keeps its modes until it reads a line: its input is a fifo that stays open
            GuestProcess modetest = vm.run(List.of("sh", "-c", "mkfifo /tmp/modetest.in;"
                    + " sleep 3600 >/tmp/modetest.in 2>/dev/null &"
                    + " exec modetest -M qxl -s Virtual-1:1024x768 -s Virtual-2:800x600 </tmp/modetest.in"), Map.of());
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    List<DisplayMonitor> ms = session.displayMonitors();
                    return ms.size() == 2 && ms.get(1).width() == 800 && ms.get(1).height() == 600;
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("modetest did not lay the heads out: " + modetest.output()
                        + "\nmonitors " + session.displayMonitors(), e);
            }
            List<DisplayMonitor> extended = session.displayMonitors();
            System.out.println("SPICE-HEADS extended " + extended);
            Rectangle first = area(extended.get(0));
            Rectangle second = area(extended.get(1));
            assertThat(first).isEqualTo(new Rectangle(0, 0, 1024, 768));
            assertThat(first.intersects(second)).as("the heads show different parts of the desktop").isFalse();
            assertThat(extended).extracting(DisplayMonitor::window).containsExactlyElementsOf(ids);
            assertThat(session.displayWindowIds()).isEqualTo(ids);
            videoFollowsTheHeads(xvfb, session, ids, a, b);
            // modetest ends: the driver's console takes the heads back (1024x768 each again)
            modetest.stop(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(60)).until(() -> session.displayMonitors().size() == 2
                    && session.displayMonitors().get(1).width() == 1024);

            // the guest turns the second output off: its window goes, the session stays
            setConnector(vm, "off");
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> session.displayWindowIds().size() == 1);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                GuestProcess state = vm.run(List.of("sh", "-c", "grep . /sys/class/drm/card*-Virtual-*/status"
                        + " /sys/class/drm/card*-Virtual-*/enabled"), Map.of());
                state.waitFor(Duration.ofSeconds(30));
                throw new AssertionError("the second window stayed: " + session.displayWindowIds() + " monitors "
                        + session.displayMonitors() + " guest: " + state.output(), e);
            }
            assertThat(session.displayWindowIds()).containsExactly(ids.get(0));
            assertThat(xvfb.run("xdotool", "search", "--name", TITLE).lines().map(Long::parseLong))
                    .doesNotContain(ids.get(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> session.displayMonitors().size() == 1);
            assertThat(session.isConnected()).isTrue();

            // and on again: a new window for it
            setConnector(vm, "on");
            await().atMost(Duration.ofSeconds(60)).until(() -> session.displayWindowIds().size() == 2);
            long again = session.displayWindowIds().get(1);
            assertThat(xvfb.run("xwininfo", "-id", Long.toString(again)))
                    .contains("\"" + TITLE + " (display 2)\"").contains("Map State: IsViewable");

            // the user closes the second head's window: the session goes on, the monitor stays without a window
            SpiceDisplayIT.X11.deleteWindow(xvfb.display(), again);
            await().atMost(Duration.ofSeconds(30)).until(() -> session.displayWindowIds().size() == 1);
            assertThat(session.isConnected()).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> session.displayMonitors().size() == 2);
            assertThat(session.displayMonitors()).extracting(DisplayMonitor::window).containsExactly(ids.get(0), 0L);
            System.out.println("SPICE-HEADS after close " + session.displayMonitors());
        } finally {
            session.close();
        }
    }

    /**
     * modetest's desktop is its one 1824x768 framebuffer: head 1 (1024x768) at 0,0 and head 2
     * (800x600) at 1024,0. A red video there must show in head 2's window, and back on head 1 in
     * the first window, as the user sees it (screenshots).
     */
    private static void videoFollowsTheHeads(Xvfb xvfb, SpiceSession session, List<Long> ids, Path a, Path b) throws Exception {
        long w1 = ids.get(0);
        long w2 = ids.get(1);
        OverlaySupport.reclaimErrorHandler(); // as vmc engine --spice does after GTK opened its display
        // side by side on the thin client's screen, so that a screenshot of one window shows only it
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            xvfb.run("xdotool", "windowsize", Long.toString(w1), "620", "465");
            xvfb.run("xdotool", "windowsize", Long.toString(w2), "600", "450");
            xvfb.run("xdotool", "windowmove", Long.toString(w2), "650", "0");
            Thread.sleep(500);
            int[] g1 = SpiceDisplayIT.geometry(xvfb, w1);
            int[] g2 = SpiceDisplayIT.geometry(xvfb, w2);
            return g1[0] == 620 && g1[1] == 465 && g2[0] == 600 && g2[1] == 450
                    && xvfb.run("xwininfo", "-id", Long.toString(w2)).matches("(?s).*Absolute upper-left X: +650\\s.*");
        });
        try (TestEngine ea = new TestEngine(440, a, c -> c.overlayParentWindow(w1).overlayDisplay(xvfb.display())
                .overlayMonitors(session));
             TestEngine eb = new TestEngine(880, b, c -> c.videoSource(EngineConfig.VideoSource.testPattern("red")))) {
            String sa = SessionWindowVideoIT.videoCall(ea, eb);
            Rect onSecond = Rect.newBuilder().setX(1024 + 200).setY(150).setWidth(240).setHeight(180).build();
            ea.ok(SessionWindowVideoIT.geometry(sa, onSecond, 1824, 768));
            System.out.println("SPICE-HEADS video on head 2, monitors " + session.displayMonitors());
            SessionWindowVideoIT.assertVideoAt(w2, new int[4], 800, 600, onSecond.toBuilder().setX(200).build());
            assertThat(SessionWindowVideoIT.countRed(SessionWindowVideoIT.window(w1))).as("no video in head 1's window").isZero();

            Rect onFirst = Rect.newBuilder().setX(100).setY(80).setWidth(240).setHeight(180).build();
            ea.ok(SessionWindowVideoIT.geometry(sa, onFirst, 1824, 768));
            SessionWindowVideoIT.assertVideoAt(w1, new int[4], 1024, 768, onFirst);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                    .until(() -> SessionWindowVideoIT.window(w2), img -> SessionWindowVideoIT.countRed(img) == 0);
        }
    }

    private static Rectangle area(DisplayMonitor m) {
        return new Rectangle(m.x(), m.y(), m.width(), m.height());
    }

    /** Forces the guest's second qxl output on or off, as a hotplug would (DRM's connector status). */
    private static void setConnector(GuestVm vm, String status) throws IOException {
        GuestProcess p = vm.run(List.of("sh", "-c", "for c in /sys/class/drm/card*-Virtual-2; do echo " + status
                + " > $c/status || exit 1; done; cat /sys/class/drm/card*-Virtual-2/status"), Map.of());
        assertThat(p.waitFor(Duration.ofSeconds(60))).as("connector %s: %s", status, p.output()).isZero();
    }
}
