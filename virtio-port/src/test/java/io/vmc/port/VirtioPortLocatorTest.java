package io.vmc.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class VirtioPortLocatorTest {

    @TempDir
    Path root;

    private VirtioPortLocator locator() {
        return new VirtioPortLocator(root.resolve("dev"), root.resolve("sys"));
    }

    private void sysPort(String node, String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve("sys/class/virtio-ports").resolve(node));
        Files.writeString(dir.resolve("name"), name);
        Files.createDirectories(root.resolve("dev"));
        Files.writeString(root.resolve("dev").resolve(node), "");
    }

    @Test
    void prefersTheUdevLink() throws IOException {
        sysPort("vport1p1", "org.spice-space.vmc.0\n");
        Path link = Files.createDirectories(root.resolve("dev/virtio-ports")).resolve("org.spice-space.vmc.0");
        Files.createSymbolicLink(link, root.resolve("dev/vport1p1"));

        assertThat(locator().resolve(VirtioPort.DEFAULT_NAME)).isEqualTo(link);
    }

    @Test
    void scansSysfsWhenThereIsNoLink() throws IOException {
        sysPort("vport0p1", "com.redhat.spice.0\n");
        sysPort("vport1p1", "org.spice-space.vmc.0\n");
        sysPort("vport1p2", "");

        assertThat(locator().resolve(VirtioPort.DEFAULT_NAME)).isEqualTo(root.resolve("dev/vport1p1"));
        assertThat(locator().listPorts()).containsOnlyKeys("com.redhat.spice.0", "org.spice-space.vmc.0");
    }

    @Test
    void missingPortNamesWhatExists() throws IOException {
        sysPort("vport0p1", "com.redhat.spice.0\n");

        assertThat(locator().find(VirtioPort.DEFAULT_NAME)).isEmpty();
        assertThatThrownBy(() -> locator().resolve(VirtioPort.DEFAULT_NAME))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no virtio-serial port named 'org.spice-space.vmc.0'")
                .hasMessageContaining("[com.redhat.spice.0]")
                .hasMessageContaining("<target type='virtio' name='org.spice-space.vmc.0'/>");
    }

    @Test
    void noSysfsAtAllMeansNoPorts() throws IOException {
        assertThat(locator().listPorts()).isEmpty();
        assertThatThrownBy(() -> locator().resolve("x")).hasMessageContaining("ports seen in").hasMessageContaining("none");
    }

    @Test
    void rejectsNamesThatEscapeTheDirectory() {
        for (String bad : new String[] {"", ".", "..", "../sda", "a/b", "a\0b", "x".repeat(256)}) {
            assertThatThrownBy(() -> locator().find(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("port name");
        }
    }

    @Test
    void ignoresOversizedNameFiles() throws IOException {
        sysPort("vport2p1", "y".repeat(10_000));
        assertThat(locator().listPorts()).isEmpty();
    }
}
