package io.vmc.engine;

import io.vmc.engine.internal.call.Call;
import io.vmc.transport.EventSink;
import io.vmc.transport.proto.ActiveDevice;
import io.vmc.transport.proto.Device;
import io.vmc.transport.proto.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The microphone and speaker each call uses now, so that a device that goes away (headset
 * unplugged) moves the call to the default device instead of ending it, and the app hears which
 * (ActiveDevice). The switch itself is the call's mid-call device switch: the RTP session goes on.
 */
final class ActiveDevices {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveDevices.class);

    /** A device in use: PulseAudio's name and what the app was told about it. */
    private record InUse(String pulseName, Device device) {
    }

    private final EventSink events;
    private final Map<String, InUse[]> bySession = new HashMap<>(); // [microphone, speaker]

    ActiveDevices(EventSink events) {
        this.events = events;
    }

    /** {@code session} uses {@code device} (PulseAudio {@code pulseName}) from now on; null forgets it. */
    synchronized void using(String session, boolean microphone, String pulseName, Device device) {
        InUse[] u = bySession.computeIfAbsent(session, k -> new InUse[2]);
        u[microphone ? 0 : 1] = pulseName == null || device == null ? null : new InUse(pulseName, device);
    }

    synchronized void ended(String session) {
        bySession.remove(session);
    }

    /** PulseAudio names of the devices calls use now, microphones first. */
    synchronized List<String> pulseNames(boolean microphone) {
        List<String> out = new ArrayList<>();
        for (InUse[] u : bySession.values()) {
            InUse x = u[microphone ? 0 : 1];
            if (x != null && !out.contains(x.pulseName())) out.add(x.pulseName());
        }
        return out;
    }

    /**
     * After the device list changed: every call whose device is gone goes to the default device of
     * its kind (as it is now), and the app gets an ActiveDevice event.
     */
    void devicesChanged(Devices devices, Function<String, Call> sessions) {
        record Move(String session, boolean microphone, InUse gone) {
        }
        List<Move> moves = new ArrayList<>();
        synchronized (this) {
            bySession.forEach((id, u) -> {
                for (int i = 0; i < 2; i++) {
                    if (u[i] != null && devices.find(u[i].pulseName(), i == 0) == null) moves.add(new Move(id, i == 0, u[i]));
                }
            });
        }
        for (Move m : moves) {
            Call call = sessions.apply(m.session());
            if (call == null) continue;
            Device now = devices.find(null, m.microphone());
            LOG.info("session {}: {} '{}' went away; going on with {}", m.session(), m.microphone() ? "microphone" : "speaker",
                    m.gone().device().getName(), now == null ? "PulseAudio's default" : "'" + now.getName() + "'");
            try {
                call.selectDevice(null, m.microphone());
            } catch (RuntimeException e) {
                LOG.warn("session {}: cannot move to the default device: {}", m.session(), e.toString());
                continue;
            }
            movedToDefault(m.session(), m.microphone(), m.gone().device(), devices);
        }
    }

    /**
     * The call's device failed and the call already went on with the default device
     * ({@code Call.onDeviceLost}): record it and tell the app.
     */
    void failed(String session, boolean microphone, Devices devices) {
        InUse gone;
        synchronized (this) {
            InUse[] u = bySession.get(session);
            gone = u == null ? null : u[microphone ? 0 : 1];
        }
        movedToDefault(session, microphone, gone == null ? null : gone.device(), devices);
    }

    private void movedToDefault(String session, boolean microphone, Device replaced, Devices devices) {
        Device now;
        try {
            now = devices.find(null, microphone);
        } catch (RuntimeException e) {
            now = null;
        }
        using(session, microphone, now == null ? null : nameOf(devices, now, microphone), now);
        ActiveDevice.Builder b = ActiveDevice.newBuilder().setSessionId(session).setReason(ActiveDevice.Reason.DEVICE_REMOVED);
        if (replaced != null) b.setReplaced(replaced);
        if (now != null) b.setDevice(now);
        events.emit(Event.newBuilder().setActiveDevice(b).build());
    }

    private static String nameOf(Devices devices, Device d, boolean microphone) {
        try {
            return devices.resolve(d.getId(), microphone ? Device.DeviceKind.MICROPHONE : Device.DeviceKind.SPEAKER).systemName();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
