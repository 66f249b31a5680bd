package io.vmc.engine;

import io.vmc.transport.proto.SessionOptions;
import io.vmc.transport.proto.SessionState;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.awaitility.Awaitility.await;

class FdDiagTmpTest {
    @TempDir Path dirA;
    @TempDir Path dirB;

    static Map<String, Integer> kinds() throws Exception {
        Map<String, String> inodes = new HashMap<>();
        for (String f : List.of("udp", "udp6", "tcp", "tcp6", "unix", "netlink")) {
            try { for (String l : Files.readAllLines(Path.of("/proc/self/net/" + f))) {
                String[] p = l.trim().split("\\s+");
                for (String s : p) { }
                int idx = f.equals("unix") ? 6 : f.equals("netlink") ? 8 : 9;
                if (p.length > idx) inodes.put(p[idx], f);
            } } catch (Exception e) { }
        }
        Map<String, Integer> m = new TreeMap<>();
        try (var ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : ds) {
                String t;
                try { t = Files.readSymbolicLink(p).toString(); } catch (Exception e) { continue; }
                String k;
                if (t.startsWith("socket:[")) k = "socket:" + inodes.getOrDefault(t.substring(8, t.length() - 1), "?");
                else if (t.startsWith("pipe:")) k = "pipe";
                else if (t.startsWith("anon_inode:")) k = t;
                else if (t.startsWith("/")) k = "file:" + (t.contains(".jar") ? "jar" : t.replaceAll("[0-9]+", "N"));
                else k = t;
                m.merge(k, 1, Integer::sum);
            }
        }
        return m;
    }

    static int threads() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith("Threads:")) return Integer.parseInt(line.substring(8).trim());
        return -1;
    }

    static Map<String, Integer> threadNames() throws Exception {
        Map<String, Integer> m = new TreeMap<>();
        try (var ds = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path p : ds) { try { m.merge(Files.readString(p.resolve("comm")).trim().replaceAll("[0-9]+", "N"), 1, Integer::sum); } catch (Exception e) {} }
        }
        return m;
    }

    static void diff(String label, Map<String, Integer> a, Map<String, Integer> b) {
        Set<String> keys = new TreeSet<>(a.keySet()); keys.addAll(b.keySet());
        StringBuilder sb = new StringBuilder("DIAG " + label + ":");
        for (String k : keys) { int d = b.getOrDefault(k, 0) - a.getOrDefault(k, 0); if (d != 0) sb.append(" ").append(k).append("=").append(d > 0 ? "+" : "").append(d); }
        System.out.println(sb);
    }

    @Test
    void diag() throws Exception {
        boolean video = !"false".equals(System.getProperty("diag.video"));
        int n = Integer.getInteger("diag.calls", 6);
        boolean turn = Boolean.getBoolean("diag.turn");
        Coturn coturn = turn ? new Coturn(Files.createTempDirectory("diagturn")) : null;
        PulseServer pulse = Boolean.getBoolean("diag.pulse") ? new PulseServer("module-null-sink sink_name=spk", "module-null-source source_name=mic") : null;
        java.util.function.Consumer<EngineConfig.Builder> t = x -> { if (coturn != null) x.turnServer(coturn.server(Coturn.PASSWORD)).iceRelayOnly(true);
            if (pulse != null) x.audioSource(EngineConfig.AudioSource.pulse(null)).audioSink(EngineConfig.AudioSink.pulse(null)); };
        try (pulse; coturn; TestEngine a = new TestEngine(440, dirA, x -> t.accept(x.videoSource(EngineConfig.VideoSource.testPattern("smpte"))));
             TestEngine b = new TestEngine(880, dirB, x -> t.accept(x.videoSource(EngineConfig.VideoSource.testPattern("ball"))))) {
            call(a, b, video, false, null); call(a, b, video, true, null);
            Thread.sleep(2000);
            var k0 = kinds(); int t0 = threads(); var tn0 = threadNames();
            System.out.println("DIAG base fds=" + k0.values().stream().mapToInt(i -> i).sum() + " threads=" + t0 + " " + k0);
            for (int i = 0; i < n; i++) {
                int[] during = new int[2];
                Map<String, Integer>[] dk = new Map[2];
                call(a, b, video, i % 2 == 1, () -> { try { dk[0] = kinds(); during[0] = dk[0].values().stream().mapToInt(x -> x).sum(); during[1] = threads(); dk[1] = threadNames(); for (Thread th : Thread.getAllStackTraces().keySet()) { var st = th.getStackTrace(); if (false) System.out.println("DIAG JT " + th.getName() + " @ " + (st.length > 0 ? st[st.length - 1] + " / " + st[Math.max(0, st.length - 3)] : "")); } } catch (Exception e) { throw new RuntimeException(e); } });
                if (i == 0) { System.out.println("DIAG during 1 call fds=" + during[0] + " threads=" + during[1]); diff("during fds", k0, dk[0]); diff("during threads", tn0, dk[1]); }
            }
            Thread.sleep(3000);
            var k1 = kinds();
            System.out.println("DIAG after " + n + " calls fds=" + k1.values().stream().mapToInt(i -> i).sum() + " threads=" + threads());
            diff("after", k0, k1);
            diff("after threads", tn0, threadNames());
            for (int g = 0; g < 3; g++) { System.gc(); Thread.sleep(2000); }
            var k2 = kinds();
            System.out.println("DIAG after gc fds=" + k2.values().stream().mapToInt(i -> i).sum() + " threads=" + threads());
            diff("after gc", k0, k2);
        }
    }

    static void call(TestEngine a, TestEngine b, boolean video, boolean dtls, Runnable during) {
        String sa = a.createSession(SessionOptions.newBuilder().setDtlsSrtp(dtls).setVideo(video));
        String sb = b.createSession(SessionOptions.newBuilder().setVideo(video));
        a.setAnswer(sa, b.answer(sb, a.offer(sa)));
        a.awaitState(sa, SessionState.State.CONNECTED);
        b.awaitState(sb, SessionState.State.CONNECTED);
        a.awaitReceived(sa, 20);
        b.awaitReceived(sb, 20);
        if (video) await().atMost(Duration.ofSeconds(20)).until(() -> VideoCallTest.video(a, sa).getFramesDecoded() > 5 && VideoCallTest.video(b, sb).getFramesDecoded() > 5);
        if (during != null) during.run();
        if (Boolean.getBoolean("diag.reneg")) {
            String hold = a.ok(io.vmc.transport.proto.Request.newBuilder().setSetHold(io.vmc.transport.proto.SetHold.newBuilder().setSessionId(sa).setHold(true))).getDescription().getSdp();
            a.setAnswer(sa, b.answer(sb, hold));
            a.awaitState(sa, SessionState.State.ON_HOLD);
            String resume = a.ok(io.vmc.transport.proto.Request.newBuilder().setSetHold(io.vmc.transport.proto.SetHold.newBuilder().setSessionId(sa).setHold(false))).getDescription().getSdp();
            a.setAnswer(sa, b.answer(sb, resume));
            a.awaitState(sa, SessionState.State.CONNECTED);
            String r = IceRestartTest.restartOffer(a, sa);
            a.setAnswer(sa, b.answer(sb, r));
            await().atMost(Duration.ofSeconds(15)).until(() -> IceRestartTest.restartDone(a, sa) && IceRestartTest.restartDone(b, sb));
            long rx = a.stats(sa).getPacketsReceived();
            await().atMost(Duration.ofSeconds(10)).until(() -> a.stats(sa).getPacketsReceived() > rx + 20);
        }
        a.close(sa);
        b.close(sb);
    }
}
