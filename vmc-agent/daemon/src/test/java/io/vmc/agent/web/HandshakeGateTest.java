package io.vmc.agent.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The order of the checks and what each refuses, without sockets. */
@Timeout(30)
class HandshakeGateTest {
    @TempDir
    Path dir;
    WebSecrets secrets;
    HandshakeGate gate;

    @BeforeEach
    void gate() throws Exception {
        secrets = WebSecrets.load(dir.resolve("k"));
        gate = new HandshakeGate(Set.of("https://phone.example.com", "chrome-extension://abcdefghijklmnopabcdefghijklmnop"), "127.0.0.1", 7411, secrets);
    }

    private HttpHeaders upgrade() {
        return new DefaultHttpHeaders().set("Host", "127.0.0.1:7411").set("Upgrade", "websocket").set("Connection", "keep-alive, Upgrade")
                .set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").set("Sec-WebSocket-Version", "13");
    }

    private String verdict(HttpHeaders h) {
        HandshakeGate.Verdict v = gate.check("GET", "/vmc.v1", h);
        return v.accepted() ? "ok uid " + v.uid() : v.status().code() + " " + v.reason();
    }

    @Test
    void theSecretAloneAdmitsAClientWithoutOriginAsItsUser() {
        assertThat(verdict(upgrade().set("Authorization", "Bearer " + secrets.secretFor(1000)))).isEqualTo("ok uid 1000");
        assertThat(verdict(upgrade().set("authorization", "bearer " + secrets.secretFor(7)))).isEqualTo("ok uid 7");
        assertThat(verdict(upgrade().set("Sec-WebSocket-Protocol", "vmc.v1.json, vmc.secret." + secrets.secretFor(1000)))).isEqualTo("ok uid 1000");
        assertThat(verdict(upgrade().set("Host", "localhost:7411").set("Authorization", "Bearer " + secrets.secretFor(1)))).isEqualTo("ok uid 1");
        assertThat(gate.check("GET", "/vmc.v1?x=1", upgrade().set("Authorization", "Bearer " + secrets.secretFor(1))).accepted()).isTrue();
    }

    @Test
    void originIsJudgedFirstThenHostThenTheSecretThenTheRequest() {
        String s = secrets.secretFor(1000);
        assertThat(verdict(upgrade().set("Origin", "https://evil.example"))).isEqualTo("403 origin not allowed");
        assertThat(verdict(upgrade().set("Origin", "https://phone.example.com.evil.example").set("Authorization", "Bearer " + s)))
                .isEqualTo("403 origin not allowed");
        assertThat(verdict(upgrade().set("Origin", "http://phone.example.com").set("Authorization", "Bearer " + s))).isEqualTo("403 origin not allowed");
        assertThat(verdict(upgrade().add("Origin", "https://phone.example.com").add("Origin", "https://evil.example"))).startsWith("403");
        assertThat(verdict(upgrade().set("Origin", "https://phone.example.com"))).isEqualTo("401 no secret");
        assertThat(verdict(upgrade().set("Origin", "HTTPS://PHONE.EXAMPLE.COM").set("Authorization", "Bearer " + s))).isEqualTo("ok uid 1000");
        assertThat(verdict(upgrade().set("Host", "evil.example:7411").set("Authorization", "Bearer " + s))).startsWith("403 Host");
        assertThat(verdict(upgrade().set("Host", "127.0.0.1:7412").set("Authorization", "Bearer " + s))).startsWith("403 Host");
        assertThat(verdict(upgrade().remove("Host").set("Authorization", "Bearer " + s))).startsWith("403 Host");
        assertThat(verdict(upgrade())).isEqualTo("401 no secret");
        assertThat(verdict(upgrade().set("Authorization", "Bearer"))).isEqualTo("401 wrong secret");
        assertThat(verdict(upgrade().set("Authorization", "Bearer " + s).set("Sec-WebSocket-Protocol", "vmc.secret." + s)))
                .isEqualTo("401 more than one secret");
        assertThat(gate.check("GET", "/", upgrade().set("Authorization", "Bearer " + s)).status().code()).isEqualTo(404);
        assertThat(gate.check("GET", "/", upgrade()).status().code()).as("no secret: 401 before 404").isEqualTo(401);
        assertThat(gate.check("PUT", "/vmc.v1", upgrade().set("Authorization", "Bearer " + s)).status().code()).isEqualTo(405);
        assertThat(verdict(upgrade().remove("Upgrade").set("Authorization", "Bearer " + s))).startsWith("400 not a WebSocket");
        assertThat(verdict(upgrade().remove("Sec-WebSocket-Key").set("Authorization", "Bearer " + s))).startsWith("400 not a WebSocket");
        assertThat(verdict(upgrade().remove("Sec-WebSocket-Version").set("Authorization", "Bearer " + s))).startsWith("426 Sec-WebSocket-Version");
        assertThat(verdict(upgrade().set("Sec-WebSocket-Version", "8").set("Authorization", "Bearer " + s))).startsWith("426");
        assertThat(verdict(upgrade().set("Sec-WebSocket-Protocol", "chat").set("Authorization", "Bearer " + s))).startsWith("400 offer the subprotocol");
    }

    @Test
    void originsAreNormalizedAndWildcardsOrNullAreRefused() {
        assertThat(WebApi.normalizeOrigin(" HTTPS://Phone.Example.com/ ")).isEqualTo("https://phone.example.com");
        assertThat(WebApi.normalizeOrigin("http://127.0.0.1:8080")).isEqualTo("http://127.0.0.1:8080");
        assertThat(WebApi.normalizeOrigin("http://[::1]:8080")).isEqualTo("http://[::1]:8080");
        assertThat(WebApi.normalizeOrigin("file://")).isEqualTo("file://");
        assertThat(WebApi.normalizeOrigin("chrome-extension://abcdefghijklmnopabcdefghijklmnop")).isEqualTo("chrome-extension://abcdefghijklmnopabcdefghijklmnop");
        assertThatThrownBy(() -> WebApi.normalizeOrigin("*")).hasMessageContaining("wildcards");
        assertThatThrownBy(() -> WebApi.normalizeOrigin("https://*.example.com")).hasMessageContaining("wildcards");
        assertThatThrownBy(() -> WebApi.normalizeOrigin("null")).hasMessageContaining("sandboxed");
        assertThatThrownBy(() -> WebApi.normalizeOrigin("https://phone.example.com/app")).hasMessageContaining("no path");
        assertThatThrownBy(() -> WebApi.normalizeOrigin("phone.example.com")).hasMessageContaining("expected an origin");
        assertThatThrownBy(() -> WebApi.normalizeOrigin("https://a b")).hasMessageContaining("expected an origin");
    }
}
