package io.vmc.port.spice;

/**
 * Session events. Methods have no-op defaults so events can be added later. They run on one
 * event thread per session ({@code vmc-spice-events}), in order, never on the GLib loop thread;
 * a listener may call back into the session.
 */
public abstract class SpiceSessionListener {

    /** The main channel is up. */
    public void connected(SpiceSession session) {
    }

    /** The session lost its server (after {@link #error} when there was one). */
    public void disconnected(SpiceSession session) {
    }

    /** The server moved the session to another host (live migration) and the client followed. */
    public void migrated(SpiceSession session) {
    }

    /** A problem the user should hear about. */
    public void error(SpiceSession session, SpiceSessionError error) {
    }

    /** The guest opened the port (a program such as vmc-agentd has it open). */
    public void portOpened(SpiceSession session, String portName) {
    }

    /** The guest closed the port, or the port channel went away. */
    public void portClosed(SpiceSession session, String portName) {
    }

    /** The user closed the display window; the session is closed. */
    public void windowClosed(SpiceSession session) {
    }
}
