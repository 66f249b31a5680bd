package io.vmc.it.spice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmc.it.lab.Xvfb;
import io.vmc.port.spice.SpiceClient;
import io.vmc.port.spice.SpiceOptions;
import io.vmc.port.spice.SpiceSession;
import io.vmc.port.spice.UsbFilter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What remote-viewer gives beyond one window (issue 19 part 1), against QEMU's SPICE server under
 * Xvfb: two QXL devices give two display channels and two windows; fullscreen from the start;
 * the secure-attention hotkey and {@link SpiceSession#sendCtrlAltDel()} reach the guest (SeaBIOS
 * resets the machine on Ctrl+Alt+Del from its PS/2 keyboard: QEMU reports a guest RESET); a
 * usbredir channel and spice-gtk's USB device manager are there; clipboard sharing is on.
 */
@Timeout(240)
class SpiceMonitorsIT {

    @Test
    void twoMonitorsTwoWindowsKeysReachTheGuestAndUsbRedirectionIsReady() throws Exception {
        Prerequisites.require(true, "qemu-system-x86_64", "Xvfb", "xdotool", "xwininfo", "xprop");
        Xvfb xvfb = Xvfb.shared();
        try (SpiceQemu qemu = SpiceQemu.start(false, null, null, List.of(
                "-device", "qxl", // the second monitor (the first is -vga qxl)
                "-boot", "reboot-timeout=-1", // SeaBIOS waits at "no bootable device": only our keys reset it
                "-device", "qemu-xhci,id=xhci",
                "-chardev", "spicevmc,name=usbredir,id=usbredir1",
                "-device", "usb-redir,chardev=usbredir1,bus=xhci.0"));
                QmpResets resets = new QmpResets(qemu)) {
            SpiceSession session = SpiceClient.open(SpiceOptions.builder(qemu.uri()).x11Display(xvfb.display())
                    .title("VMC monitors test").fullscreen(true)
                    .usbAutoConnectFilter(UsbFilter.parse("0x03,-1,-1,-1,0|-1,-1,-1,-1,1")).build(), new RecordingListener());
            try {
                await().atMost(Duration.ofSeconds(90)).until(session::isConnected);

                // a window per display channel, as the user sees them
                await().atMost(Duration.ofSeconds(60)).until(() -> session.displayWindowIds().size() == 2);
                List<Long> ids = session.displayWindowIds();
                assertThat(ids.get(0)).isEqualTo(session.displayWindowId().orElseThrow());
                assertThat(xvfb.run("xdotool", "search", "--name", "VMC monitors test").lines().map(Long::parseLong))
                        .containsAll(ids);
                assertThat(xvfb.run("xwininfo", "-id", Long.toString(ids.get(1))))
                        .contains("\"VMC monitors test (display 2)\"").contains("Map State: IsViewable");
                for (long id : ids) {
                    // Xvfb has no window manager: the request is the window's initial state property
                    assertThat(xvfb.run("xprop", "-id", Long.toString(id), "_NET_WM_STATE"))
                            .as("window %d asks to be fullscreen", id).contains("_NET_WM_STATE_FULLSCREEN");
                }
                assertThat(session.isFullscreen()).isTrue();
                // the monitors the video overlay maps onto: one per display channel, with its window
                await().atMost(Duration.ofSeconds(30)).until(() -> session.displayMonitors().size() == 2
                        && session.displayMonitors().get(0).width() > 0);
                assertThat(session.displayMonitors()).extracting(m -> m.window()).containsExactlyElementsOf(ids);
                System.out.println("SPICE-MONITORS layout " + session.displayMonitors());

                // USB redirection and the clipboard (no USB device and no spice-vdagent here)
                assertThat(session.hasUsbDeviceManager()).isTrue();
                await().atMost(Duration.ofSeconds(30)).until(() -> session.usbRedirChannelCount() == 1);
                assertThat(session.isClipboardShared()).isTrue();

                // the secure-attention hotkey (Ctrl+Alt+End) sends Ctrl+Alt+Del to the guest
                assertThat(resets.count()).as("no reset before any key").isZero();
                long first = ids.get(0);
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(5)).until(() -> {
                    xvfb.run("xdotool", "windowfocus", "--sync", Long.toString(first));
                    xvfb.run("xdotool", "key", "--window", Long.toString(first), "ctrl+alt+End");
                    return resets.count() >= 1;
                });
                int afterHotkey = resets.count();
                // and the API does the same (after SeaBIOS is back at its prompt)
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(5)).until(() -> {
                    session.sendCtrlAltDel();
                    return resets.count() > afterHotkey;
                });

                // closing the second monitor's window leaves the session running
                SpiceDisplayIT.X11.deleteWindow(xvfb.display(), ids.get(1));
                await().atMost(Duration.ofSeconds(30)).until(() -> session.displayWindowIds().size() == 1);
                assertThat(session.isConnected()).isTrue();
                // the monitor stays, without a window: video on it is drawn nowhere, not on the first
                assertThat(session.displayMonitors()).extracting(m -> m.window()).containsExactly(ids.get(0), 0L);
                System.out.println("SPICE-MONITORS windows=" + ids + " resets=" + resets.count());
            } finally {
                session.close();
            }
        }
    }

    /** Counts QEMU's RESET events on a QMP connection of its own. */
    static final class QmpResets implements AutoCloseable {
        private final SocketChannel ch;
        private final AtomicInteger resets = new AtomicInteger();
        private final Thread reader;

        QmpResets(SpiceQemu qemu) throws IOException {
            java.nio.file.Path sock = qemu.dir().resolve("qmp.sock");
            await().atMost(Duration.ofSeconds(30)).until(() -> java.nio.file.Files.exists(sock));
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(sock));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            OutputStream out = Channels.newOutputStream(ch);
            in.readLine(); // greeting
            out.write("{\"execute\":\"qmp_capabilities\"}\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            reader = new Thread(() -> {
                try {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.contains("\"event\": \"RESET\"") || line.contains("\"event\":\"RESET\"")) {
                            resets.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "qmp-resets");
            reader.setDaemon(true);
            reader.start();
        }

        int count() {
            return resets.get();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
