package io.vmc.it.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.CameraChoiceGuestMain;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The user's camera, listed, chosen and remembered (issue 20 part 3), on real V4L2 devices: in the
 * test guest (Debian's kernel, which has the {@code vivid} virtual camera driver this machine
 * lacks), two cameras. The engine lists both with distinct opaque ids, the app chooses the one that
 * is not the default, and the next engine run opens exactly that camera for its video call
 * ({@link CameraChoiceGuestMain}).
 */
@Timeout(900)
class CameraChoiceGuestIT {

    @RegisterExtension
    static final GuestVmExtension GUEST = new GuestVmExtension(GuestVm.builder().memoryMb(1536));

    @Test
    void theChosenCameraIsListedRememberedAndOpenedByTheNextCall() throws Exception {
        GuestProcess modules = GUEST.vm().run(List.of("sh", "-c",
                "modprobe vivid n_devs=2 node_types=0x1,0x1 && for n in /sys/class/video4linux/*; do echo $n $(cat $n/name); done"), Map.of());
        assertThat(modules.waitFor(Duration.ofSeconds(120))).as(modules.output()).isZero();
        assertThat(modules.output()).contains("vivid-000-vid-cap").contains("vivid-001-vid-cap");

        GuestProcess main = GUEST.vm().java(GuestVm.testClasspath(), List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                CameraChoiceGuestMain.class.getName());
        assertThat(main.waitFor(Duration.ofSeconds(780))).as(main.output()).isZero();
        List<String> out = Arrays.asList(main.output().split("\n"));

        List<String> cameras = out.stream().filter(l -> l.startsWith("CAMERA ")).toList();
        assertThat(cameras).as(main.output()).hasSize(2);
        assertThat(cameras).allMatch(l -> l.split(" ")[1].matches("cam-[0-9a-f]{12}"));
        assertThat(cameras.stream().map(l -> l.split(" ")[1]).distinct()).as("distinct ids").hasSize(2);
        assertThat(cameras).as("the default is v4l2src's default, /dev/video0").filteredOn(l -> l.contains(" default=true ")).hasSize(1);
        assertThat(out).as(main.output()).contains("MIDCALL UNIMPLEMENTED", "RINGER INVALID_ARGUMENT");
        assertThat(out).as("the call opened the chosen camera only").contains("OPEN [video1=vivid-001-vid-cap]");
        long received = out.stream().filter(l -> l.startsWith("VIDEO-RECEIVED ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                .findFirst().orElse(0);
        assertThat(received).as("the far end got the chosen camera's video").isGreaterThanOrEqualTo(10);
        assertThat(out).contains("DONE");
    }
}
