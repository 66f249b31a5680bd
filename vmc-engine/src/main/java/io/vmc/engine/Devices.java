package io.vmc.engine;

import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.media.GstSupport;
import io.vmc.engine.internal.device.HeadsetInputs;
import io.vmc.transport.EventSink;
import io.vmc.transport.proto.Device;
import io.vmc.transport.proto.DeviceChanged;
import io.vmc.transport.proto.DeviceList;
import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Event;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.device.DeviceMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audio devices and cameras through GStreamer's device monitors (PulseAudio provider; V4L2 for
 * cameras). The guest sees opaque ids ({@code mic-...}, {@code spk-...}, {@code cam-...}) and
 * display names, never PulseAudio's internal names or device paths, and can only select a device
 * that is in the current list. Started on the first ListDevices; from then on the list is compared
 * every {@link #POLL_MS} ms and changes become DeviceChanged events.
 */
final class Devices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);
    /** Hot-plug detection period. */
    static final long POLL_MS = 1000;
    private static final String NO_AUDIO = "no audio device provider could start (is PulseAudio running?)";

    /** A device the guest named: PulseAudio's name of an audio device, a camera's V4L2 device path. */
    record Selected(String systemName, Device.DeviceKind kind) {
        boolean microphone() {
            return kind == Device.DeviceKind.MICROPHONE;
        }
    }

    /** {@code systemName}: PulseAudio's device name, or a camera's /dev/videoN. */
    record Entry(String id, String systemName, String name, Device.DeviceKind kind, boolean isDefault,
                         HeadsetInputs.AudioDevice where) {
        Device toProto() {
            return Device.newBuilder().setId(id).setName(name).setKind(kind).setIsDefault(isDefault).build();
        }
    }

    private final EventSink events;
    private final ScheduledExecutorService timer;
    private DeviceMonitor monitor;
    /** V4L2 cameras; null where no provider for them could start (no cameras listed, audio unaffected). */
    private DeviceMonitor cameras;
    private ScheduledFuture<?> poll;
    private Map<String, Entry> current = new LinkedHashMap<>();
    private boolean closed;
    private Runnable onChange = () -> { };

    Devices(EventSink events, ScheduledExecutorService timer) {
        this.events = events;
        this.timer = timer;
    }

    synchronized DeviceList list() {
        start();
        refresh(true); // a device plugged in since the last poll is announced before the answer
        if (monitor == null && current.isEmpty()) throw new EngineException(Error.Code.UNAVAILABLE, NO_AUDIO);
        DeviceList.Builder b = DeviceList.newBuilder();
        current.values().forEach(e -> b.addDevices(e.toProto()));
        return b.build();
    }

    synchronized Selected resolve(String id, Device.DeviceKind kind) {
        if (id.isEmpty() || id.length() > 64) throw EngineException.invalid("device_id must be 1-64 characters");
        start();
        refresh(true); // a device plugged in since the last poll is announced before the answer
        Entry e = current.get(id);
        if (e == null) {
            throw new EngineException(Error.Code.NOT_FOUND, "no device " + id + " (call ListDevices)" + (monitor == null ? "; " + NO_AUDIO : ""));
        }
        if (kind != Device.DeviceKind.DEVICE_KIND_UNSPECIFIED && kind != e.kind()) {
            throw EngineException.invalid("device " + id + " is a " + e.kind() + ", not a " + kind);
        }
        return new Selected(e.systemName(), e.kind());
    }

    /** Runs after a poll found the list changed (on the timer thread). */
    synchronized void onChange(Runnable r) {
        onChange = r;
    }

    /** The entry of {@code pulseName}, or the default one of that kind for null; null when absent. */
    synchronized Device find(String pulseName, boolean microphone) {
        Entry e = entry(pulseName, microphone);
        return e == null ? null : e.toProto();
    }

    /** The listed camera at {@code path} (/dev/videoN); null when absent. */
    synchronized Device cameraAt(String path) {
        for (Entry e : current.values()) {
            if (e.kind() == Device.DeviceKind.CAMERA && e.systemName().equals(path)) return e.toProto();
        }
        return null;
    }

    /** Where the device is, for {@link HeadsetButtons}; null when absent. */
    synchronized HeadsetButtons.InUse inUse(String pulseName, boolean microphone) {
        start();
        Entry e = entry(pulseName, microphone);
        return e == null ? null : new HeadsetButtons.InUse(e.id(), e.where());
    }

    private Entry entry(String pulseName, boolean microphone) {
        Device.DeviceKind kind = microphone ? Device.DeviceKind.MICROPHONE : Device.DeviceKind.SPEAKER;
        for (Entry e : current.values()) {
            if (e.kind() == kind && (pulseName == null ? e.isDefault() : pulseName.equals(e.systemName()))) return e;
        }
        return null;
    }

    /**
     * Starts the monitors and the poll on first use; a later request tries the audio monitor again
     * while it could not start (PulseAudio may come up after the engine).
     */
    private void start() {
        if (closed) return;
        if (poll != null) {
            if (monitor == null) monitor = startMonitor("Audio/Source", "Audio/Sink");
            return;
        }
        GstSupport.init();
        monitor = startMonitor("Audio/Source", "Audio/Sink");
        // separately: audio works without cameras or V4L2, and cameras without PulseAudio
        cameras = startMonitor("Video/Source");
        if (monitor == null && cameras == null) throw new EngineException(Error.Code.UNAVAILABLE, NO_AUDIO);
        if (monitor == null) LOG.warn("{}: only cameras are listed", NO_AUDIO);
        refresh(false);
        poll = timer.scheduleWithFixedDelay(() -> {
            synchronized (Devices.this) {
                try {
                    refresh(true);
                } catch (RuntimeException ex) {
                    LOG.debug("device poll: {}", ex.toString());
                }
            }
        }, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
    }

    /** A started monitor of these device classes, or null when no provider of them could start. */
    private static DeviceMonitor startMonitor(String... classes) {
        DeviceMonitor m = new DeviceMonitor();
        for (String c : classes) m.addFilter(c, null);
        if (m.start()) return m;
        m.dispose();
        return null;
    }

    private void refresh(boolean notify) {
        if (monitor == null && cameras == null) return;
        Map<String, Entry> now = new LinkedHashMap<>();
        if (cameras != null) {
            for (org.freedesktop.gstreamer.device.Device d : cameras.getDevices()) {
                try {
                    Entry e = camera(d.getDisplayName(), d.getProperties());
                    if (e != null) now.put(e.id(), e);
                } finally {
                    d.dispose();
                }
            }
        }
        for (org.freedesktop.gstreamer.device.Device d : monitor != null ? monitor.getDevices()
                : List.<org.freedesktop.gstreamer.device.Device>of()) {
            try {
                Structure props = d.getProperties();
                String cls = props != null && props.hasField("device.class") ? props.getString("device.class") : "";
                boolean source = d.hasClasses("Audio/Source");
                if (source && "monitor".equals(cls)) continue; // a sink's monitor is not a microphone
                Element el = d.createElement(null);
                String pulseName;
                try {
                    Object dev = el.get("device");
                    pulseName = dev == null ? null : dev.toString();
                } finally {
                    el.dispose();
                }
                if (pulseName == null || pulseName.isEmpty()) continue;
                boolean isDefault = props != null && props.hasField("is-default") && props.getBoolean("is-default");
                Device.DeviceKind kind = source ? Device.DeviceKind.MICROPHONE : Device.DeviceKind.SPEAKER;
                String id = (source ? "mic-" : "spk-") + shortHash(pulseName);
                now.put(id, new Entry(id, pulseName, d.getDisplayName(), kind, isDefault, new HeadsetInputs.AudioDevice(
                        text(props, "sysfs.path"), text(props, "alsa.card"),
                        text(props, "api.bluez5.address") != null ? text(props, "api.bluez5.address") : text(props, "device.string"))));
            } finally {
                d.dispose();
            }
        }
        boolean changed = !now.equals(current);
        if (notify) {
            for (Entry e : now.values()) {
                Entry old = current.get(e.id());
                if (old == null) {
                    emit(e, DeviceChanged.Change.ADDED);
                } else if (e.isDefault() && !old.isDefault()) {
                    emit(e, DeviceChanged.Change.DEFAULT_CHANGED);
                }
            }
            for (Entry e : current.values()) {
                if (!now.containsKey(e.id())) emit(e, DeviceChanged.Change.REMOVED);
            }
        }
        current = now;
        if (notify && changed) timer.execute(onChange); // outside this lock: it switches calls
    }

    /**
     * A V4L2 camera, or null for anything else (another provider's video source, a device without a
     * /dev/videoN path). Its id hashes the driver's card name and bus, so it survives re-plugging into
     * the same port and an engine restart, and two identical cameras on two ports differ.
     */
    static Entry camera(String displayName, Structure props) {
        String path = text(props, "device.path");
        if (!"v4l2".equals(text(props, "device.api")) || path == null || !path.matches("/dev/video[0-9]{1,3}")) return null;
        String card = text(props, "v4l2.device.card");
        String bus = text(props, "v4l2.device.bus_info");
        String identity = card != null && bus != null && !bus.isEmpty() ? card + "|" + bus : path;
        String id = "cam-" + shortHash(identity);
        String name = displayName == null || displayName.isBlank() ? (card != null ? card : path) : displayName;
        // v4l2src's own default, which a call without a chosen camera opens
        return new Entry(id, path, name, Device.DeviceKind.CAMERA, path.equals("/dev/video0"), null);
    }

    /** A PulseAudio property as text; null when absent or not text. */
    private static String text(Structure props, String key) {
        try {
            return props != null && props.hasField(key) ? props.getString(key) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void emit(Entry e, DeviceChanged.Change change) {
        events.emit(Event.newBuilder().setDeviceChanged(DeviceChanged.newBuilder()
                .setDevice(e.toProto()).setChange(change)).build());
    }

    private static String shortHash(String s) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (poll != null) poll.cancel(false);
        if (monitor != null) {
            monitor.stop();
            monitor.dispose();
            monitor = null;
        }
        if (cameras != null) {
            cameras.stop();
            cameras.dispose();
            cameras = null;
        }
    }
}
