package io.vmc.it.qemu;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.Mode;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.Vmc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs in the guest: a softphone that places a call the moment the media engine (re)appears.
 * Connected to vmc-agentd's socket ({@code args[0]}), on every change to {@link Mode#OPTIMIZED} it
 * opens a session and asks for an offer at once, printing {@code CALL n OK} or
 * {@code CALL n FAILED <reason>}; when the mode leaves OPTIMIZED after call n it prints
 * {@code DOWN n}.
 */
public final class GuestCallOnConnectMain {

    private GuestCallOnConnectMain() {
    }

    public static void main(String[] args) throws Exception {
        // An interpreted JVM in a TCG guest on a busy host: agentd may need long to answer its first app.
        Vmc vmc = Vmc.builder().socket(Path.of(args[0])).appName("call-on-connect")
                .connectTimeout(Duration.ofSeconds(90)).requestTimeout(Duration.ofSeconds(60)).connect();
        // Listeners run on the API's dispatcher thread; blocking calls belong elsewhere.
        ExecutorService caller = Executors.newSingleThreadExecutor();
        AtomicInteger calls = new AtomicInteger();
        vmc.addModeListener(change -> {
            System.out.println("MODE " + change.mode());
            if (change.mode() == Mode.OPTIMIZED) {
                caller.execute(() -> call(vmc, calls.incrementAndGet()));
            } else {
                // After the call, so that DOWN n always follows CALL n in the output.
                caller.execute(() -> System.out.println("DOWN " + calls.get()));
            }
        });
        System.out.println("STARTED mode " + vmc.mode());
        if (vmc.mode() == Mode.OPTIMIZED) {
            caller.execute(() -> call(vmc, calls.incrementAndGet()));
        }
        Thread.currentThread().join();
    }

    private static void call(Vmc vmc, int n) {
        try (MediaSession session = vmc.newSession(SessionOptions.audioOnly())) {
            String offer = session.createOffer();
            System.out.println("CALL " + n + " OK " + (offer.contains("m=audio") ? "m=audio" : "no m=audio"));
        } catch (RuntimeException e) {
            System.out.println("CALL " + n + " FAILED " + e);
        }
    }
}
