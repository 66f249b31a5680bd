package io.vmc.it.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.CameraSwitchGuestMain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The user's cameras on real V4L2 devices (issue 20 part 3): in the test guest (Debian's kernel has
 * the {@code vivid} virtual camera driver this machine lacks), two cameras, the first showing red and
 * the second blue. The engine lists both with distinct ids that stay the same after a restart; a
 * video call from the chosen camera reaches a peer engine, and switching the call's camera mid-call
 * ({@link CameraSwitchGuestMain}) changes what the peer decodes without a break in the stream; when
 * the camera in use is unplugged (vivid's Disconnect), the call goes on from the default camera and
 * the app is told.
 *
 * <p>GStreamer's V4L2 device provider (built with GUdev, as Debian's is) lists only devices whose
 * udev database entry has {@code ID_V4L_VERSION=2}, which udev's {@code 60-persistent-v4l.rules}
 * sets by running {@code v4l_id}. The guest's busybox init runs no udev, so without it the
 * engine lists no camera at all: the test starts the host's {@code systemd-udevd} in the guest and
 * replays the devices' add events, as a real thin client's udev does at boot and on plug-in
 * ({@code SYSTEMD_IGNORE_CHROOT}: the guest's programs run in a chroot, where udevadm would refuse).
 */
@Timeout(900)
class CameraSwitchGuestIT {

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension(GuestVm.builder().memoryMb(1536));

    @Test
    void camerasAreListedWithStableIdsAndAMidCallSwitchChangesThePictureOnTheSameStream() throws Exception {
        Path pattern = Path.of(CameraSwitchGuestIT.class.getResource("/qemu/vivid-control.py").toURI());
        GuestProcess setup = GUEST.vm().run(List.of("sh", "-c", String.join(" && ",
                "modprobe vivid n_devs=2 node_types=0x1,0x1",
                "/lib/systemd/systemd-udevd --daemon",
                "udevadm trigger --action=add --subsystem-match=video4linux",
                "udevadm settle --timeout=120",
                "udevadm info --query=property --name=/dev/video0 | grep ID_V4L_VERSION",
                "python3 " + pattern + " /dev/video0 'Test Pattern' '100% Red'",
                "python3 " + pattern + " /dev/video1 'Test Pattern' '100% Blue'",
                "for n in /sys/class/video4linux/*; do echo $n $(cat $n/name); done")),
                // the guest's programs run chrooted under busybox's init: systemd's tools would ignore their requests
                Map.of("SYSTEMD_IGNORE_CHROOT", "1"));
        assertThat(setup.waitFor(Duration.ofSeconds(180))).as(setup.output()).isZero();
        assertThat(setup.output()).contains("ID_V4L_VERSION=2", "vivid-000-vid-cap", "vivid-001-vid-cap");

        GuestProcess main = GUEST.vm().java(GuestVm.testClasspath(), List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                CameraSwitchGuestMain.class.getName(), pattern.toString());
        assertThat(main.waitFor(Duration.ofSeconds(660))).as(main.output()).isZero();
        String output = main.output();
        List<String> out = Arrays.asList(output.split("\n"));
        System.out.println("CAMERA-SWITCH in the TCG guest:\n" + String.join("\n", out.stream()
                .filter(l -> l.matches("(CAMERA|COLOUR|SWITCH|WRONG|LOST|INDICATOR|REMEMBERED|ACTIVE|DONE).*")).toList()));

        List<String> first = words(out, "CAMERA 1 ");
        List<String> second = words(out, "CAMERA 2 ");
        assertThat(first).as(output).hasSize(2).allMatch(id -> id.matches("cam-[0-9a-f]{12}")).doesNotHaveDuplicates();
        assertThat(second).as("the same ids after an engine restart").containsExactlyInAnyOrderElementsOf(first);
        assertThat(out).as(output).filteredOn(l -> l.startsWith("CAMERA 1 ") && l.contains(" default=true ")).hasSize(1);

        assertThat(line(out, "COLOUR-BEFORE ")).as(output).startsWith("RED ");
        assertThat(frames(line(out, "COLOUR-BEFORE "))).isGreaterThanOrEqualTo(CameraSwitchGuestMain.FRAMES);
        assertThat(line(out, "SWITCH-UNKNOWN ")).as("an unknown camera").isEqualTo("NOT_FOUND");
        assertThat(line(out, "COLOUR-AFTER ")).as("the peer sees the second camera: " + output).startsWith("BLUE ");
        assertThat(frames(line(out, "COLOUR-AFTER "))).as("pictures decoded after the switch")
                .isGreaterThanOrEqualTo(CameraSwitchGuestMain.FRAMES);
        assertThat(line(out, "WRONG-SSRC ")).as("the stream kept its SSRC").isEqualTo("0");
        String[] lost = line(out, "LOST ").split(" ");
        assertThat(Long.parseLong(lost[1]) - Long.parseLong(lost[0])).as("no sequence jump taken for a loss").isLessThan(5);
        assertThat(line(out, "INDICATOR ")).as("the camera indicator names the camera in use")
                .contains("camera /dev/video0").endsWith("camera /dev/video1]");
        assertThat(line(out, "COLOUR-UNPLUGGED ")).as("the unplugged camera's call goes on from the default one: " + output)
                .startsWith("RED ");
        assertThat(frames(line(out, "COLOUR-UNPLUGGED "))).as("pictures decoded after the unplug")
                .isGreaterThanOrEqualTo(CameraSwitchGuestMain.FRAMES);
        assertThat(line(out, "ACTIVE-DEVICE ")).as("the app is told which camera the call goes on with")
                .isEqualTo("DEVICE_REMOVED replaced=" + line(out, "IDS ").split(" ")[1] + " device=" + line(out, "IDS ").split(" ")[0]);
        assertThat(line(out, "WRONG-SSRC-END ")).as("the stream kept its SSRC through the unplug").isEqualTo("0");
        String remembered = line(out, "REMEMBERED ");
        assertThat(remembered).as("the call's camera is remembered for the next calls")
                .matches("camera = (cam-[0-9a-f]{12}) blue=\\1");
        assertThat(out).contains("DONE");
    }

    /** The second word of the lines starting with {@code prefix} (after the prefix). */
    private static List<String> words(List<String> out, String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).split(" ")[0]).toList();
    }

    private static String line(List<String> out, String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).strip()).findFirst().orElse("");
    }

    private static long frames(String line) {
        return Long.parseLong(line.replaceAll(".*frames=", ""));
    }
}
