package io.vmc.engine;

import io.vmc.engine.internal.device.EvdevReader;
import io.vmc.engine.internal.device.HeadsetInputs;
import io.vmc.engine.internal.device.HeadsetKeys;
import io.vmc.engine.internal.device.InputEvent;
import io.vmc.transport.EventSink;
import io.vmc.transport.proto.CallControl;
import io.vmc.transport.proto.Event;
import io.vmc.transport.proto.SessionState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The headset's buttons as CallControl events, and its mute LED following the call's mute. Reads
 * the input devices of the audio devices in use ({@link HeadsetInputs}), or the one node the
 * configuration names. Which call a button means: the ring's while one plays, else the call that
 * connected last and is still up. The engine itself answers, hangs up and mutes nothing.
 */
final class HeadsetButtons implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeadsetButtons.class);

    /** An audio device in use: its id for the app and where it is. */
    record InUse(String deviceId, HeadsetInputs.AudioDevice where) {
    }

    private final EventSink events;
    private final HeadsetInputs finder;
    private final Path fixedNode;
    private final BooleanSupplier ringing;
    private final Supplier<String> ringSession;
    private final Map<Path, EvdevReader> readers = new HashMap<>();
    private final Map<Path, String> deviceIds = new HashMap<>();
    private final LinkedHashSet<String> connected = new LinkedHashSet<>(); // in order of connection
    private final Map<String, Boolean> muted = new HashMap<>();
    private boolean closed;

    /**
     * @param fixedNode the one event node to read (configuration), or null to find the headsets'
     * @param finder how headsets are found when {@code fixedNode} is null
     */
    HeadsetButtons(EventSink events, Path fixedNode, HeadsetInputs finder, BooleanSupplier ringing, Supplier<String> ringSession) {
        this.events = events;
        this.fixedNode = fixedNode;
        this.finder = finder;
        this.ringing = ringing;
        this.ringSession = ringSession;
    }

    /** Reads the inputs of {@code inUse} from now on (and stops reading others). */
    synchronized void follow(List<InUse> inUse) {
        if (closed) return;
        Map<Path, HeadsetInputs.Input> wanted = new HashMap<>();
        Map<Path, String> ids = new HashMap<>();
        if (fixedNode != null) {
            wanted.put(fixedNode, new HeadsetInputs.Input(fixedNode, "configured", muteLedOf(fixedNode)));
            ids.put(fixedNode, inUse.isEmpty() ? "" : inUse.get(0).deviceId());
        } else {
            for (InUse u : inUse) {
                try {
                    for (HeadsetInputs.Input i : finder.find(u.where())) {
                        wanted.putIfAbsent(i.node(), i);
                        ids.putIfAbsent(i.node(), u.deviceId());
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    LOG.debug("headset buttons: looking for the inputs of {}: {}", u.deviceId(), e.toString());
                }
            }
        }
        for (Path p : new ArrayList<>(readers.keySet())) {
            if (!wanted.containsKey(p)) readers.remove(p).close();
        }
        deviceIds.clear();
        deviceIds.putAll(ids);
        for (HeadsetInputs.Input i : wanted.values()) {
            if (readers.containsKey(i.node())) continue;
            EvdevReader r = new EvdevReader(i.node(), i.muteLed(), e -> onEvent(i.node(), e), why -> ended(i.node(), why));
            readers.put(i.node(), r);
            LOG.info("headset buttons: reading {} ({}) for {}", i.node(), i.name(), ids.get(i.node()));
            r.start();
            r.setMuteLed(currentMuted());
        }
    }

    /** The LED capability of a configured node, from sysfs when it is an event node. */
    private static boolean muteLedOf(Path node) {
        Path real;
        try {
            real = node.toRealPath();
        } catch (java.io.IOException e) {
            return false;
        }
        String name = real.getFileName().toString();
        if (!name.matches("event[0-9]{1,4}")) return false;
        String led = HeadsetInputs.attributeOf(Path.of("/sys/class/input", name, "device/capabilities/led"));
        return HeadsetInputs.bits(led).testBit(InputEvent.LED_MUTE);
    }

    synchronized void sessionState(String session, SessionState.State state) {
        switch (state) {
            case CONNECTED -> connected.add(session);
            case CLOSED, FAILED -> {
                connected.remove(session);
                muted.remove(session);
            }
            default -> { }
        }
        updateLed();
    }

    synchronized void muted(String session, boolean on) {
        muted.put(session, on);
        updateLed();
    }

    private void updateLed() {
        boolean on = currentMuted();
        readers.values().forEach(r -> r.setMuteLed(on));
    }

    private String currentCall() {
        String last = null;
        for (String s : connected) last = s;
        return last;
    }

    private boolean currentMuted() {
        String c = currentCall();
        return c != null && muted.getOrDefault(c, false);
    }

    private void onEvent(Path node, InputEvent e) {
        String sessionId;
        CallControl.Action action;
        String deviceId;
        synchronized (this) {
            if (closed || !readers.containsKey(node)) return;
            boolean ring = ringing.getAsBoolean();
            String call = currentCall();
            var a = HeadsetKeys.action(e, ring, call != null);
            if (a.isEmpty()) return;
            action = a.get();
            sessionId = action == CallControl.Action.ANSWER || (ring && call == null) ? ringSession.get() : call;
            deviceId = deviceIds.getOrDefault(node, "");
        }
        events.emit(Event.newBuilder().setCallControl(CallControl.newBuilder()
                .setSessionId(Objects.requireNonNullElse(sessionId, "")).setAction(action)
                .setDeviceId(deviceId).setKey(HeadsetKeys.name(e.code()).orElse(""))).build());
    }

    private synchronized void ended(Path node, String why) {
        EvdevReader r = readers.remove(node);
        if (r != null) {
            LOG.info("headset buttons: stopped reading {}: {}", node, why);
            r.close();
        }
    }

    /** The nodes read now (for tests and the log). */
    synchronized Set<Path> nodes() {
        return Set.copyOf(readers.keySet());
    }

    @Override
    public synchronized void close() {
        closed = true;
        readers.values().forEach(EvdevReader::close);
        readers.clear();
    }
}
