package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code vmc engine FILE.vv}: the connection files Proxmox VE and oVirt hand out, and hostile ones (issue 19 part 2). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VirtViewerFileTest {
    @TempDir Path dir;

    private static VirtViewerFile parse(String text) {
        return VirtViewerFile.parse("t.vv", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aProxmoxFileGoesThroughItsSpiceProxy() throws Exception {
        VirtViewerFile v = VirtViewerFile.read(Path.of("src/test/resources/vv/proxmox-ve.vv"));
        assertThat(v.uri()).isEqualTo("spice://pvespiceproxy:656f1a2b:100:pve1::4c3f0e9a1d2b7c6e5f4a3b2c1d0e9f8a7b6c5d4e?tls-port=61000");
        assertThat(v.proxy).isEqualTo("http://192.0.2.10:3128");
        assertThat(v.hostSubject).isEqualTo("OU=PVE Cluster Node,O=Proxmox Virtual Environment,CN=pve1.example.com");
        assertThat(v.ca).startsWith("-----BEGIN CERTIFICATE-----\nMIIB").endsWith("-----END CERTIFICATE-----\n");
        assertThat(v.deleteThisFile).isTrue();
        assertThat(v.title).isEqualTo("VM 100 - desktop01");
        assertThat(v.ignored()).isEmpty();
        assertThat(v.toggleFullscreen).isEqualTo(io.vmc.port.spice.Hotkey.parse("shift+f11"));
        assertThat(v.releaseCursor).isEqualTo(io.vmc.port.spice.Hotkey.parse("ctrl+alt+r"));
        assertThat(v.secureAttention).isEqualTo(io.vmc.port.spice.Hotkey.parse("ctrl+alt+ins"));
        assertThat(v.fullscreen).isFalse();
        assertThat(v.usbAutoShare).isFalse();
        assertThat(v.toString()).doesNotContain("c0ffee").contains("password set");
    }

    @Test
    void anOvirtFileHasBothPortsAndItsOwnGroupIsReportedIgnored() throws Exception {
        VirtViewerFile v = VirtViewerFile.read(Path.of("src/test/resources/vv/ovirt.vv"));
        assertThat(v.uri()).isEqualTo("spice://198.51.100.20?port=5900&tls-port=5901");
        assertThat(v.password()).contains("S3cr3tT1ck3t");
        assertThat(v.ignored()).contains("[ovirt]", "enable-smartcard", "tls-ciphers", "versions")
                .contains("secure-channels").doesNotContain("host", "password", "fullscreen", "usb-filter", "enable-usb-autoshare",
                        "toggle-fullscreen", "release-cursor", "secure-attention");
        assertThat(v.usbAutoShare).isTrue();
        assertThat(v.usbFilter).isEqualTo(io.vmc.port.spice.UsbFilter.parse("-1,-1,-1,-1,0"));
        assertThat(v.releaseCursor).isEqualTo(io.vmc.port.spice.Hotkey.parse("shift+f12"));
    }

    @Test
    void theEngineDeletesAFileThatAsksAndNeverPrintsThePassword() throws Exception {
        Path vv = Files.copy(Path.of("src/test/resources/vv/ovirt.vv"), dir.resolve("console.vv"));
        EngineCommand cmd = new EngineCommand();
        new CommandLine(cmd).parseArgs(vv.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            cmd.openConnectionFile();
        } finally {
            System.setErr(old);
        }
        assertThat(vv).doesNotExist();
        assertThat(cmd.spice).isEqualTo("spice://198.51.100.20?port=5900&tls-port=5901");
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("file deleted as it asks").contains("ignored in " + vv + ": [ovirt], enable-smartcard")
                .doesNotContain("S3cr3tT1ck3t");

        Path keep = Files.writeString(dir.resolve("keep.vv"), "[virt-viewer]\ntype=spice\nhost=127.0.0.1\nport=5930\n");
        EngineCommand c2 = new EngineCommand();
        new CommandLine(c2).parseArgs(keep.toString());
        c2.openConnectionFile();
        assertThat(keep).exists();
    }

    @Test
    void usbOptionsAndTheFilesAutoShareDecideWhichDevicesGoToTheVm() throws Exception {
        EngineCommand cmd = new EngineCommand();
        new CommandLine(cmd).parseArgs("--spice", "spice://h:1", "--usb-device", "046d:c52b", "--usb-auto-connect-filter", "0x08,-1,-1,-1,1");
        io.vmc.port.spice.SpiceOptions.Builder b = io.vmc.port.spice.SpiceOptions.builder("spice://h:1");
        cmd.applyUsbOptions(b);
        io.vmc.port.spice.SpiceOptions o = b.build();
        assertThat(o.usbRedirectOnConnect().orElseThrow().toString()).isEqualTo("-1,0x046d,0xc52b,-1,1");
        assertThat(o.usbAutoConnectFilter().orElseThrow().toString()).isEqualTo("-1,0x046d,0xc52b,-1,1|0x08,-1,-1,-1,1");

        EngineCommand none = new EngineCommand();
        new CommandLine(none).parseArgs("--spice", "spice://h:1");
        io.vmc.port.spice.SpiceOptions.Builder nb = io.vmc.port.spice.SpiceOptions.builder("spice://h:1");
        none.applyUsbOptions(nb);
        assertThat(nb.build().usbAutoConnectFilter()).as("nothing goes to the VM unless asked").isEmpty();

        Path vv = Files.copy(Path.of("src/test/resources/vv/ovirt.vv"), dir.resolve("auto.vv"));
        EngineCommand file = new EngineCommand();
        new CommandLine(file).parseArgs(vv.toString());
        file.openConnectionFile();
        io.vmc.port.spice.SpiceOptions.Builder fb = io.vmc.port.spice.SpiceOptions.builder("spice://h:1");
        file.applyUsbOptions(fb);
        assertThat(fb.build().usbAutoConnectFilter().orElseThrow().toString()).isEqualTo("-1,-1,-1,-1,0");

        EngineCommand bad = new EngineCommand();
        new CommandLine(bad).parseArgs("--spice", "spice://h:1", "--usb-device", "46d:c52b");
        assertThatThrownBy(() -> bad.applyUsbOptions(io.vmc.port.spice.SpiceOptions.builder("spice://h:1")))
                .hasMessageStartingWith("--usb-device: USB device must be VID:PID");
        EngineCommand both = new EngineCommand();
        new CommandLine(both).parseArgs("--spice", "spice://h:1", "--no-usb", "--usb-device", "046d:c52b");
        assertThatThrownBy(() -> both.applyUsbOptions(io.vmc.port.spice.SpiceOptions.builder("spice://h:1")))
                .hasMessageContaining("--no-usb contradicts");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[virt-viewer]\\ntype=vnc\\nhost=h\\nport=5900      | type vnc is not supported",
            "[virt-viewer]\\nhost=h\\nport=5900                 | no type",
            "[virt-viewer]\\ntype=spice\\nport=5900             | no host",
            "[virt-viewer]\\ntype=spice\\nhost=\\nport=5900     | no host",
            "[virt-viewer]\\ntype=spice\\nhost=h\\n             | neither port nor tls-port",
            "[virt-viewer]\\ntype=spice\\nhost=h\\nport=0       | port: expected a port 1..65535, got \"0\"",
            "[virt-viewer]\\ntype=spice\\nhost=h\\nport=70000   | port: expected a port 1..65535",
            "[virt-viewer]\\ntype=spice\\nhost=h\\ntls-port=-5  | tls-port: expected a port",
            "[virt-viewer]\\ntype=spice\\nhost=a b\\nport=1     | host: not a host name or address",
            "[virt-viewer]\\ntype=spice\\nhost=h\\nport=1\\nproxy=socks://x:1 | proxy: expected http://HOST[:PORT]",
            "[virt-viewer]\\ntype=spice\\nhost=h\\nport=1\\nca=junk | ca: not a PEM certificate",
            "[virt-viewer]\\ntype=spice\\nhost=h\\nport=1\\ndelete-this-file=yes | delete-this-file: expected 0 or 1",
            "type=spice\\nhost=h\\nport=1                       | a setting before any [group]",
            "[other]\\ntype=spice\\nhost=h\\nport=1             | no [virt-viewer] group",
            "[virt-viewer\\ntype=spice                          | expected [GROUP]",
            "[virt-viewer]\\ntype spice                         | expected key=value",
            "# only a comment                                   | no [virt-viewer] group",
            "[virt-viewer]\\ntype=spice\\nhost=h\\nport=1\\nusb-filter=-1,-1,-1,-1 | usb-filter: USB filter rule 1",
            "[virt-viewer]\\ntype=spice\\nhost=h\\nport=1\\nusb-filter=0x1ff,-1,-1,-1,1 | class 511 is outside 0..255",
            "[virt-viewer]\\ntype=spice\\nhost=h\\nport=1\\ntoggle-fullscreen=shift | toggle-fullscreen: names only modifiers",
            "[virt-viewer]\\ntype=spice\\nhost=h\\nport=1\\nrelease-cursor=ctrl+a+b | release-cursor: hotkey",
            "[virt-viewer]\\ntype=spice\\nhost=h\\nport=1\\nfullscreen=2 | fullscreen: expected 0 or 1",
            "[virt-viewer]\\ntype=spice\\nhost=h\\nport=1\\nenable-usb-autoshare=on | enable-usb-autoshare: expected 0 or 1",
    })
    void badFilesGetAClearError(String text, String message) {
        assertThatThrownBy(() -> parse(text.replace("\\n", "\n"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("connection file t.vv: ").hasMessageContaining(message);
    }

    @Test
    void hostileFilesAreRefusedWithinTheLimits() throws Exception {
        Path huge = dir.resolve("huge.vv");
        Files.write(huge, ("[virt-viewer]\n" + ("#" + "x".repeat(99) + "\n").repeat(10_000)).getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> VirtViewerFile.read(huge)).hasMessageContaining("larger than the allowed maximum (65536 bytes)");
        assertThatThrownBy(() -> parse("[virt-viewer]\ntitle=" + "t".repeat(VirtViewerFile.MAX_LINE_BYTES)))
                .hasMessageContaining("line 2 is longer than the allowed maximum (16384 bytes)");
        byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, (byte) 0xff, (byte) 0xfe, 0, 0};
        assertThatThrownBy(() -> VirtViewerFile.parse("a.out", elf)).hasMessage("connection file a.out: not a text file (not valid UTF-8)");
        assertThatThrownBy(() -> parse("[virt-viewer]\ntitle=\u001b[2Jx")).hasMessageContaining("control character U+001B");
        assertThatThrownBy(() -> parse("[virt-viewer]\ntype=spice\u0000\n")).hasMessageContaining("control character U+0000");
        Random r = new Random(7);
        for (int i = 0; i < 3000; i++) {
            byte[] junk = new byte[r.nextInt(400)];
            r.nextBytes(junk);
            if (r.nextBoolean()) System.arraycopy("[virt-viewer]\n".getBytes(StandardCharsets.US_ASCII), 0, junk, 0, Math.min(14, junk.length));
            try {
                VirtViewerFile.parse("junk", junk);
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).startsWith("connection file junk: ");
            }
        }
    }
}
