package io.vmc.it.bench;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.MediaEngine;
import io.vmc.it.browser.ChromiumPeer;
import io.vmc.it.browser.FakeMedia;
import io.vmc.it.browser.PeerNetwork;
import io.vmc.transport.proto.CloseSession;
import io.vmc.transport.proto.CreateAnswer;
import io.vmc.transport.proto.CreateSession;
import io.vmc.transport.proto.Request;
import io.vmc.transport.proto.Response;
import io.vmc.transport.proto.SessionOptions;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./vmc bench browser}: call setup as a page sees it, from its createOffer() to the first
 * audio its WebAudio analyser hears, with the engine answering against another Chromium page
 * answering (the baseline), in alternating rounds. The pages run in network namespaces (root).
 */
@Command(name = "browser", mixinStandardHelpOptions = true,
        description = "Call setup (offer to first decoded audio): Chromium -> engine vs Chromium -> Chromium.")
public final class BrowserBenchCommand implements Callable<Integer> {

    @Option(names = "--rounds", defaultValue = "7", description = "Alternating rounds per variant. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("vmc-bench-browser-");
        List<Double> engine = new ArrayList<>();
        List<Double> chromium = new ArrayList<>();
        try (PeerNetwork network = PeerNetwork.create();
             ChromiumPeer page = ChromiumPeer.start("page", network.a().namespace(), FakeMedia.create(440, 0xff0000, dir), dir);
             ChromiumPeer other = ChromiumPeer.start("other", network.b().namespace(), FakeMedia.create(880, 0x0000ff, dir), dir);
             MediaEngine vmc = new MediaEngine(EngineConfig.builder().iceAddress(InetAddress.getByName(network.engineAddress()))
                     .audioSource(EngineConfig.AudioSource.tone(660)).audioSink(EngineConfig.AudioSink.none())
                     .videoSource(EngineConfig.VideoSource.testPattern("green")).build(), e -> { })) {
            System.out.printf("page: %s%n", page.version());
            for (int r = 1; r <= rounds; r++) {
                chromium.add(againstChromium(page, other));
                engine.add(againstEngine(page, vmc));
                System.out.printf(Locale.ROOT, "round %d/%d: Chromium %.0f ms, engine %.0f ms%n", r, rounds,
                        chromium.get(r - 1), engine.get(r - 1));
            }
        }
        double e = AgentdBenchCommand.median(engine.stream().mapToDouble(Double::doubleValue).toArray());
        double c = AgentdBenchCommand.median(chromium.stream().mapToDouble(Double::doubleValue).toArray());
        System.out.printf(Locale.ROOT, "%nmedians of %d alternating rounds              %10s %10s %8s%n", rounds,
                "engine", "Chromium", "ratio");
        System.out.printf(Locale.ROOT, "%-45s %10.0f %10.0f %8.2f%n", "offer to first decoded audio (ms)", e, c, e / c);
        return 0;
    }

    private static double againstChromium(ChromiumPeer page, ChromiumPeer other) throws Exception {
        page.start();
        other.start();
        page.accept(other.answer(page.offer(true), true));
        return firstAudio(page);
    }

    private static double againstEngine(ChromiumPeer page, MediaEngine vmc) throws Exception {
        page.start();
        String offer = page.offer(true);
        String sid = request(vmc, Request.newBuilder().setCreateSession(CreateSession.newBuilder()
                .setOptions(SessionOptions.newBuilder().setAudio(true).setVideo(true)))).getSessionCreated().getSessionId();
        page.accept(request(vmc, Request.newBuilder().setCreateAnswer(CreateAnswer.newBuilder().setSessionId(sid)
                .setRemoteSdp(offer))).getDescription().getSdp());
        double ms = firstAudio(page);
        request(vmc, Request.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(sid)));
        return ms;
    }

    private static double firstAudio(ChromiumPeer page) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Double ms = page.offerToFirstAudioMs();
            if (ms != null) return ms;
            TimeUnit.MILLISECONDS.sleep(50); // polling only: the page timestamps the audio itself
        }
        throw new IllegalStateException("the page heard nothing within 30 s");
    }

    private static long ids;

    private static Response request(MediaEngine vmc, Request.Builder r) throws Exception {
        Response resp = vmc.handle(r.setId(++ids).build()).get(10, TimeUnit.SECONDS);
        if (resp.hasError()) throw new IllegalStateException(resp.getError().getMessage());
        return resp;
    }
}
