package io.vmc.agent.internal;

import io.vmc.agent.api.MediaSession;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.Vmc;
import io.vmc.agent.api.VmcException;
import io.vmc.transport.proto.CloseSession;
import io.vmc.transport.proto.CreateOffer;
import io.vmc.transport.proto.GetStats;
import io.vmc.transport.proto.Request;
import java.nio.file.Path;

/**
 * Run as another user by the isolation test: tries to see and touch a session it does not own,
 * through raw protocol requests, and prints what happened, one {@code key=value} per line.
 */
public final class ForeignApp {
    private ForeignApp() {}

    public static void main(String[] args) {
        String victim = args[1];
        try (Vmc vmc = Vmc.connect(Path.of(args[0]))) {
            AgentClient c = (AgentClient) vmc;
            System.out.println("status-sessions=" + vmc.status().sessionIds().size());
            System.out.println("close=" + outcome(c, Request.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(victim))));
            System.out.println("offer=" + outcome(c, Request.newBuilder().setCreateOffer(CreateOffer.newBuilder().setSessionId(victim))));
            System.out.println("stats=" + outcome(c, Request.newBuilder().setGetStats(GetStats.newBuilder().setSessionId(victim))));
            MediaSession own = vmc.newSession(SessionOptions.audioOnly());
            System.out.println("own-offer=" + own.createOffer().contains("m=audio"));
            System.out.println("status-after=" + vmc.status().sessionIds().size());
        }
    }

    private static String outcome(AgentClient c, Request.Builder r) {
        try {
            AgentClient.await(c.rpc(r));
            return "OK";
        } catch (VmcException e) {
            return e.reason().name();
        }
    }
}
