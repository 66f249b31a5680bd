package io.vmc.agent.internal;

import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.Vmc;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Run as a process by the crash test: opens sessions, says "ready", then waits to be killed. */
public final class CrashingApp {
    private CrashingApp() {}

    public static void main(String[] args) throws Exception {
        Vmc vmc = Vmc.connect(Path.of(args[0]));
        int n = Integer.parseInt(args[1]);
        for (int i = 0; i < n; i++) {
            vmc.newSession(SessionOptions.audioOnly()).createOffer();
        }
        System.out.println("ready");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
