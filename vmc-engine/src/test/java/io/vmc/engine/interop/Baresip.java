package io.vmc.engine.interop;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A headless baresip (Debian package) on 127.0.0.1 with a sine source and WAV dumps of what it hears.
 * Shared with the integration tests through this module's test jar.
 */
public final class Baresip implements AutoCloseable {
    public final Path dir;
    public final int sipPort;
    private final Process process;

    /**
     * @param accountParams extra account parameters, e.g. {@code ;audio_codecs=opus/48000/2}
     * @param commands {@code -e} commands run at start (e.g. {@code /dial sip:...})
     */
    public Baresip(Path dir, int toneHz, String accountParams, int quitAfterSeconds, String... commands) throws IOException {
        this.dir = dir;
        this.sipPort = freeSipPort();
        Files.createDirectories(dir.resolve("snd"));
        Files.writeString(dir.resolve("config"), String.join("\n",
                "poll_method epoll",
                "sip_listen 127.0.0.1:" + sipPort,
                "net_interface 127.0.0.1",
                "audio_source ausine," + toneHz,
                "audio_player aubridge,nullsink",
                "audio_alert aubridge,nullsink",
                "ausrc_srate 48000",
                "ausrc_channels 2",
                "auplay_srate 48000",
                "auplay_channels 2",
                "rtp_timeout 0",
                "module_path /usr/lib/baresip/modules",
                "module g711.so",
                "module g722.so",
                "module opus.so",
                "module srtp.so",
                "module sndfile.so",
                "module ausine.so",
                "module aubridge.so",
                "module_app account.so",
                "module_app menu.so",
                "snd_path " + dir.resolve("snd"),
                ""));
        Files.writeString(dir.resolve("accounts"),
                "<sip:bob@127.0.0.1:" + sipPort + ">;regint=0;answermode=auto" + accountParams + "\n");
        List<String> cmd = new ArrayList<>(List.of("baresip", "-f", dir.toString(), "-t", Integer.toString(quitAfterSeconds)));
        for (String c : commands) {
            cmd.add("-e");
            cmd.add(c);
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("baresip.log").toFile()).start();
    }

    /** The WAV of what baresip decoded (received), once the call has ended. */
    public Path decodedWav() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("snd"))) {
            return s.filter(p -> p.getFileName().toString().endsWith("-dec.wav")).findFirst()
                    .orElseThrow(() -> new IOException("baresip wrote no *-dec.wav; see " + dir.resolve("baresip.log")));
        }
    }

    public String log() throws IOException {
        return Files.exists(dir.resolve("baresip.log")) ? Files.readString(dir.resolve("baresip.log")) : "";
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public boolean waitFor(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** A port p with p and p+1 free on UDP and TCP (baresip also opens TCP and TLS on p+1). */
    private static int freeSipPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int p;
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                p = s.getLocalPort();
            }
            if (p > 65000) continue;
            try (DatagramSocket a = new DatagramSocket(p + 1, InetAddress.getLoopbackAddress());
                 ServerSocket b = new ServerSocket(p, 1, InetAddress.getLoopbackAddress());
                 ServerSocket c = new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IOException("no free port pair for baresip");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
}
