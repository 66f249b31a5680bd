package io.vmc.agent.daemon;

import io.vmc.transport.proto.Event;

/**
 * One app connected to agentd, as {@link AgentCore} sees it: on the unix socket (its user from
 * {@code SO_PEERCRED}) or on the web API (its user the one whose secret it presented).
 */
public interface AppPeer {
    /** Unknown user id (no peer credentials). */
    int UNKNOWN_UID = -1;

    /** Sends an event to the app; must not block. */
    void sendEvent(Event event);

    /** The app's user id: from {@code SO_PEERCRED}, or the web API secret's; else {@link #UNKNOWN_UID}. */
    int uid();

    /** The app's process id, or -1. */
    int pid();

    /** For logs: "app#3 (pid 1234, uid 1000, acme-phone)". */
    String describe();
}
