package io.vmc.it.spice;

import io.vmc.port.spice.SpiceSession;
import io.vmc.port.spice.SpiceSessionError;
import io.vmc.port.spice.SpiceSessionListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records session events as short strings ({@code "connected"}, {@code "error AUTH"}...). */
final class RecordingListener extends SpiceSessionListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<SpiceSessionError> errors = new CopyOnWriteArrayList<>();

    @Override
    public void connected(SpiceSession session) {
        events.add("connected");
    }

    @Override
    public void disconnected(SpiceSession session) {
        events.add("disconnected");
    }

    @Override
    public void migrated(SpiceSession session) {
        events.add("migrated");
    }

    @Override
    public void error(SpiceSession session, SpiceSessionError error) {
        errors.add(error);
        events.add("error " + error.kind());
    }

    @Override
    public void portOpened(SpiceSession session, String portName) {
        events.add("portOpened " + portName);
    }

    @Override
    public void portClosed(SpiceSession session, String portName) {
        events.add("portClosed " + portName);
    }

    @Override
    public void windowClosed(SpiceSession session) {
        events.add("windowClosed");
    }

    @Override
    public String toString() {
        return events.toString();
    }
}
