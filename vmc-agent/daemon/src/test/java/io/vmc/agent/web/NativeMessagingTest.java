package io.vmc.agent.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Chromium's native messaging framing and the host's answers. */
@Timeout(30)
class NativeMessagingTest {
    private static byte[] frame(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + b.length).order(ByteOrder.nativeOrder()).putInt(b.length).put(b).array();
    }

    private static List<String> messages(byte[] stream) throws IOException {
        List<String> out = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(stream);
        for (byte[] m; (m = NativeMessaging.read(in)) != null; ) {
            out.add(new String(m, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void framesRoundTripInTheMachinesByteOrder() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NativeMessaging.write(out, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        NativeMessaging.write(out, "{}".getBytes(StandardCharsets.UTF_8));
        byte[] b = out.toByteArray();
        assertThat(b).startsWith(frame("{\"a\":1}"));
        assertThat(ByteBuffer.wrap(b, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()).as("x86 and ARM Linux: little-endian").isEqualTo(7);
        assertThat(messages(b)).containsExactly("{\"a\":1}", "{}");
    }

    @Test
    void aStreamSplitAtAnyByteReadsTheSameOrFailsCleanly() throws IOException {
        byte[] stream = frame("{\"type\":\"getConnection\"}");
        for (int cut = 1; cut < stream.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(stream, cut);
            assertThatThrownBy(() -> messages(part)).as("cut at " + cut).isInstanceOf(EOFException.class);
        }
        assertThat(messages(new byte[0])).isEmpty();
        // a reader that hands over one byte at a time still gets whole messages
        InputStream trickle = new java.io.FilterInputStream(new ByteArrayInputStream(stream)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(1, len));
            }
        };
        assertThat(new String(NativeMessaging.read(trickle), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"getConnection\"}");
    }

    @Test
    void oversizedLengthsAreRefusedUnread() {
        byte[] huge = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(NativeMessaging.MAX_INBOUND_BYTES + 1).array();
        assertThatThrownBy(() -> NativeMessaging.read(new ByteArrayInputStream(huge))).hasMessage("message length 65537 exceeds the allowed maximum (65536)");
        byte[] negative = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(-1).array();
        assertThatThrownBy(() -> NativeMessaging.read(new ByteArrayInputStream(negative))).hasMessageContaining("4294967295");
        assertThatThrownBy(() -> NativeMessaging.write(new ByteArrayOutputStream(), new byte[NativeMessaging.MAX_OUTBOUND_BYTES + 1]))
                .hasMessageContaining("browser's maximum");
    }

    @Test
    void theHostAnswersGetConnectionAndRefusesEverythingElse() throws IOException {
        List<Boolean> refreshes = new ArrayList<>();
        NativeHost host = new NativeHost(refresh -> {
            refreshes.add(refresh);
            return new SecretFiles.Connection("ws://127.0.0.1:7411/vmc.v1", "vmc1.1000.abc");
        });
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.write(frame("{\"type\":\"getConnection\"}"));
        in.write(frame("{\"type\":\"getConnection\",\"refresh\":true}"));
        in.write(frame("{\"type\":\"steal\"}"));
        in.write(frame("not json"));
        in.write(frame("[1,2]"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(host.serve(new ByteArrayInputStream(in.toByteArray()), out)).isZero();
        assertThat(messages(out.toByteArray())).containsExactly(
                "{\"type\":\"connection\",\"url\":\"ws://127.0.0.1:7411/vmc.v1\",\"secret\":\"vmc1.1000.abc\"}",
                "{\"type\":\"connection\",\"url\":\"ws://127.0.0.1:7411/vmc.v1\",\"secret\":\"vmc1.1000.abc\"}",
                "{\"type\":\"error\",\"message\":\"unknown request type; this host answers {\\\"type\\\": \\\"getConnection\\\"}\"}",
                "{\"type\":\"error\",\"message\":\"expected a JSON object like {\\\"type\\\": \\\"getConnection\\\"}\"}",
                "{\"type\":\"error\",\"message\":\"expected a JSON object like {\\\"type\\\": \\\"getConnection\\\"}\"}");
        assertThat(refreshes).containsExactly(false, true);
    }

    @Test
    void theShippedHostManifestIsWhatChromiumReads() throws Exception {
        com.google.protobuf.Struct.Builder m = com.google.protobuf.Struct.newBuilder();
        com.google.protobuf.util.JsonFormat.parser().merge(java.nio.file.Files.readString(java.nio.file.Path.of("..", "packaging", "io.vmc.agent.json")), m);
        assertThat(m.getFieldsOrThrow("name").getStringValue()).isEqualTo("io.vmc.agent").matches("[a-z0-9_]+(\\.[a-z0-9_]+)*");
        assertThat(m.getFieldsOrThrow("type").getStringValue()).isEqualTo("stdio");
        assertThat(m.getFieldsOrThrow("path").getStringValue()).isEqualTo("/usr/lib/vmc/vmc-native-host");
        assertThat(m.getFieldsOrThrow("allowed_origins").getListValue().getValues(0).getStringValue()).matches("chrome-extension://[A-Za-z_]+/");
        String launcher = java.nio.file.Files.readString(java.nio.file.Path.of("..", "packaging", "vmc-native-host"));
        assertThat(launcher).startsWith("#!/bin/sh").contains("io.vmc.agent.AgentdCommand native-host \"$@\"");
        assertThat(java.nio.file.Files.isExecutable(java.nio.file.Path.of("..", "packaging", "vmc-native-host"))).isTrue();
    }

    @Test
    void theHostStopsWithAnErrorOnBrokenFramingAndReportsAFailingSource() throws IOException {
        NativeHost failing = new NativeHost(refresh -> {
            throw new IllegalStateException("XDG_RUNTIME_DIR is not set");
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] first = frame("{\"type\":\"getConnection\"}");
        byte[] stream = ByteBuffer.allocate(first.length + 4).order(ByteOrder.nativeOrder()).put(first).putInt(1 << 30).array();
        assertThat(failing.serve(new ByteArrayInputStream(stream), out)).isEqualTo(1);
        assertThat(messages(out.toByteArray())).containsExactly(
                "{\"type\":\"error\",\"message\":\"cannot get the VMC web API secret: XDG_RUNTIME_DIR is not set\"}",
                "{\"type\":\"error\",\"message\":\"native messaging: message length 1073741824 exceeds the allowed maximum (65536)\"}");
    }
}
