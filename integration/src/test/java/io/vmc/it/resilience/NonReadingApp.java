package io.vmc.it.resilience;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.MediaSessionListener;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionStats;
import io.vmc.agent.api.Vmc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A softphone process that stops taking its events, for {@link LoadAndLimitsIT}: it connects to
 * alice's and bob's agentd sockets, places {@code CALLS} calls from one to the other with statistics
 * pushed every second, prints {@code READY}, and then either waits to be stopped (SIGSTOP, mode {@code stop}) or
 * blocks in its first stats callback forever (mode {@code block}: its library buffers events, then
 * stops reading the socket, while the process stays alive and keeps its connection up).
 */
public final class NonReadingApp {
    public static void main(String[] args) throws Exception {
        Path alice = Path.of(args[0]);
        Path bob = Path.of(args[1]);
        boolean block = args[2].equals("block");
        int calls = Integer.parseInt(args[3]);
        SessionOptions pcmu = SessionOptions.audioOnly().toBuilder().audioCodecs(List.of("PCMU")).build();
        CountDownLatch never = new CountDownLatch(1);
        Vmc caller = Vmc.builder().socket(alice).appName("non-reading-app").connect();
        Vmc callee = Vmc.builder().socket(bob).appName("non-reading-app").connect();
        for (int i = 0; i < calls; i++) {
            MediaSession a = caller.newSession(pcmu);
            MediaSession b = callee.newSession(pcmu);
            a.setRemoteDescription(SdpType.ANSWER, b.createAnswer(a.createOffer()));
            for (MediaSession s : List.of(a, b)) {
                if (block) {
                    s.addListener(new MediaSessionListener() {
                        @Override
                        public void onStats(MediaSession session, SessionStats stats) {
                            try {
                                never.await(); // the app's code never returns: its events pile up
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    });
                }
                s.setStatsInterval(Duration.ofSeconds(1));
            }
        }
        System.out.println("READY");
        System.out.flush();
        never.await();
    }
}
