package io.vmc.it.qemu;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.MediaSessionListener;
import io.vmc.agent.api.SdpType;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.SessionState;
import io.vmc.agent.api.Vmc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Runs in the guest: a softphone whose SDP goes through files, so that its peer can be on the host.
 * Connected to vmc-agentd's socket ({@code args[0]}), it opens an audio session, writes its offer
 * to {@code DIR/TAG.offer} ({@code args[1]}, {@code args[2]}), takes the answer from
 * {@code DIR/TAG.answer}, and then prints, one a line: {@code MODE mode reason},
 * {@code STATE state reason}, {@code RENEGOTIATE reason}, and every 2 s
 * {@code STATS sent=N received=N} (or {@code STATS error ...} while its engine is away). It hangs
 * up and exits 0 when {@code DIR/TAG.hangup} appears.
 */
public final class GuestCallMain {

    private GuestCallMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        String tag = args[2];
        // An interpreted JVM in a TCG guest on a busy host: agentd may need long to answer.
        try (Vmc vmc = Vmc.builder().socket(Path.of(args[0])).appName("guest-call-" + tag)
                .connectTimeout(Duration.ofSeconds(120)).requestTimeout(Duration.ofSeconds(60)).connect()) {
            vmc.addModeListener(change -> System.out.println("MODE " + change.mode() + " " + change.reason()));
            System.out.println("MODE " + vmc.mode() + " " + vmc.modeReason());
            MediaSession session = vmc.newSession(SessionOptions.audioOnly());
            session.addListener(new MediaSessionListener() {
                @Override
                public void onStateChange(MediaSession s, SessionState state, String reason) {
                    System.out.println("STATE " + state + " " + reason);
                }

                @Override
                public void onRenegotiationNeeded(MediaSession s, String offer, String reason) {
                    System.out.println("RENEGOTIATE " + reason);
                }
            });
            Path tmp = dir.resolve(tag + ".offer.tmp");
            Files.writeString(tmp, session.createOffer());
            Files.move(tmp, dir.resolve(tag + ".offer"), StandardCopyOption.ATOMIC_MOVE);
            Path answer = dir.resolve(tag + ".answer");
            while (!Files.exists(answer)) {
                Thread.sleep(200); // the host writes it (atomically) once its peer answered
            }
            session.setRemoteDescription(SdpType.ANSWER, Files.readString(answer));
            System.out.println("ANSWERED");
            Path hangup = dir.resolve(tag + ".hangup");
            while (!Files.exists(hangup)) {
                try {
                    var audio = session.stats().audio();
                    System.out.println(audio.map(a -> "STATS sent=" + a.packetsSent() + " received=" + a.packetsReceived())
                            .orElse("STATS no audio"));
                } catch (RuntimeException e) {
                    System.out.println("STATS error " + e.getMessage());
                }
                Thread.sleep(2000);
            }
            session.close();
            System.out.println("HUNG UP");
        }
        System.exit(0);
    }
}
