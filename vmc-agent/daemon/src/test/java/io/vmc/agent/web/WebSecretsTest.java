package io.vmc.agent.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class WebSecretsTest {
    @TempDir
    Path dir;

    @Test
    void aSecretNamesItsUserAndOnlyAgentdsKeyMakesIt() throws IOException {
        WebSecrets s = WebSecrets.load(dir.resolve("web-api.key"));
        String alice = s.secretFor(1000);
        assertThat(alice).matches("vmc1\\.1000\\.[A-Za-z0-9_-]{43}");
        assertThat(s.verify(alice)).hasValue(1000);
        assertThat(s.secretFor(0)).isNotEqualTo(alice);
        assertThat(WebSecrets.load(dir.resolve("web-api.key")).verify(alice)).as("same key file, same secrets").hasValue(1000);
        assertThat(WebSecrets.load(dir.resolve("other.key")).verify(alice)).as("another key").isEmpty();
        String mac = alice.substring("vmc1.1000.".length());
        for (String bad : new String[] {"", "vmc1", "vmc1.", "vmc1.1000", "vmc1.1000.", "vmc1.1001." + mac, "vmc1.01000." + mac,
                "vmc1.+1000." + mac, "vmc1.-1." + mac, "vmc1.99999999999." + mac, "vmc2.1000." + mac, "vmc1.1000." + mac + "A",
                "vmc1.1000." + mac.substring(1), "vmc1.1000.!!!!", "vmc1.1000." + mac + ".x", alice + " ", "x".repeat(10_000)}) {
            assertThat(s.verify(bad)).as(bad).isEmpty();
        }
        assertThat(s.verify(null)).isEmpty();
        assertThatThrownBy(() -> s.secretFor(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theKeyFileIsMadeOwnerOnlyAndALooseOrWrongOneIsRefused() throws IOException {
        Path key = dir.resolve("web-api.key");
        WebSecrets.load(key);
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.size(key)).isEqualTo(WebSecrets.KEY_BYTES);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> WebSecrets.load(key)).hasMessageContaining("rw-r--r--").hasMessageContaining("readable by agentd only");
        Path shortKey = dir.resolve("short.key");
        Files.write(shortKey, new byte[5]);
        Files.setPosixFilePermissions(shortKey, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> WebSecrets.load(shortKey)).hasMessageContaining("holds 5 bytes");
        Path link = dir.resolve("link.key");
        Files.createSymbolicLink(link, key);
        assertThatThrownBy(() -> WebSecrets.load(link)).hasMessageContaining("not a regular file");
    }
}
