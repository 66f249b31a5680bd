package io.vmc.port.spice;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.vmc.port.StreamPort;
import io.vmc.port.spice.nativeapi.GLib;
import io.vmc.port.spice.nativeapi.GObject;
import io.vmc.port.spice.nativeapi.Gtk;
import io.vmc.port.spice.nativeapi.SpiceGlib;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SPICE session owned by this process: the connection to the VM's SPICE server, optionally its
 * display in a window, and its port channels as {@link StreamPort}s. Open one with
 * {@link SpiceClient#open}.
 *
 * <p>Threads: every spice-gtk and GTK object lives on the process's GLib loop thread; the methods
 * here may be called from any thread and hand their work to it. Listener methods run on this
 * session's event thread.
 */
public final class SpiceSession implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(SpiceSession.class);

    /** How long after the main channel opens the VMC port channel must have appeared. */
    static final int PORT_CHANNEL_GRACE_MILLIS = 3000;
    /** The SPICE protocol major version every server since spice 0.6 speaks. */
    private static final int SPICE_PROTOCOL = 2;
    /** How long after the server closed the session to check whether it still listens. */
    static final int TAKEOVER_PROBE_DELAY_MILLIS = 1000;
    /** Reconnect anyway if spice-gtk has not reported the old channels gone by then. */
    static final int RECONNECT_FALLBACK_MILLIS = 5000;
    /**
     * Waits before each attempt to connect again after a loss ({@link SpiceOptions#reconnectAfterLoss()}),
     * the last one repeated. Short, so that the session is back soon after the VM's host is: an attempt
     * is one TCP connect to the SPICE server, and the VM's agentd keeps the calls only for its grace.
     */
    static final int[] RETRY_MILLIS = {500, 1000, 2000};
    /**
     * The longest time from the SPICE server being reachable again to the reconnect attempt that
     * reaches it: the takeover probe, then at most the longest back-off. agentd's default engine
     * grace must cover an outage plus this (its default is checked against it).
     */
    public static final java.time.Duration RECONNECT_WINDOW =
            java.time.Duration.ofMillis(TAKEOVER_PROBE_DELAY_MILLIS + RETRY_MILLIS[RETRY_MILLIS.length - 1]);
    /** How long {@link #displayMonitors()} waits for the loop thread before answering the last known layout. */
    static final long MONITORS_WAIT_MILLIS = 500;
    static final String NO_VMC_CHANNEL_MESSAGE = "no VMC channel in this VM: see the admin guide";

    // Signal handlers stay connected to native objects that may outlive this Java object: keep
    // them reachable for the life of the process (a few objects per session).
    private static final List<Object> RETAINED = new CopyOnWriteArrayList<>();

    private final GLoop loop;
    private final SpiceOptions options;
    private final List<SpiceSessionListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService events;
    private final Map<String, SpicePortStream> streams = new ConcurrentHashMap<>();

    // Loop thread only.
    private Pointer session;
    private Pointer mainChannel;
    private final Map<Pointer, String> portChannels = new HashMap<>();
    /** (display channel, head) -> its window, in that order ({@link Head#FIRST} first: it is opened before connecting). */
    private final Map<Head, Monitor> monitors = new java.util.TreeMap<>();
    /** Heads whose window the user closed: not opened again while the guest keeps them on. */
    private final java.util.Set<Head> closedByUser = new java.util.HashSet<>();
    private int[] toggleFullscreenKey;
    private int[] secureAttentionKey;
    private Pointer usbManager;
    private Pointer gtkSession;
    private volatile int usbRedirChannels;
    private volatile boolean usbManagerPresent;
    private volatile List<Long> windowIds = List.of();
    private volatile List<DisplayMonitor> lastMonitors = List.of();
    /** The port channels' names the server has sent on this connection (a copy of portChannels' values). */
    private volatile java.util.Set<String> portNames = java.util.Set.of();
    /** Display channel id -> channel: the guest's monitors, with or without a window. */
    private final Map<Integer, Pointer> displayChannels = new java.util.TreeMap<>();
    /** Display channel 0 (the guest's first monitor): what a screen share copies. */
    private Pointer displayChannel;
    private volatile boolean fullscreen;
    private boolean mainOpened;
    private boolean everConnected;
    private boolean reportedNoChannel;
    private int graceTimer;
    private boolean reconnecting;
    private int retries;
    private boolean retryScheduled;

    private volatile long windowXid;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile Thread eventThread;

    // Callbacks (strongly referenced, see RETAINED).
    private final GObject.SignalPointer onChannelNew = (s, ch, u) -> channelNew(ch);
    private final GObject.SignalPointer onChannelDestroy = (s, ch, u) -> channelDestroy(ch);
    private final GObject.Signal0 onSessionDisconnected = (s, u) -> sessionDisconnected();
    private final GObject.SignalInt onChannelEvent = (ch, ev, u) -> channelEvent(ch, ev);
    private final GObject.SignalPointer onPortName = (ch, pspec, u) -> portNameKnown(ch);
    private final GObject.SignalPointer onMonitors = (ch, pspec, u) -> monitorsChanged(ch);
    private final GObject.SignalPointer onPortOpened = (ch, pspec, u) -> portOpenedChanged(ch);
    private final GObject.SignalPointerInt onPortData = (ch, data, size, u) -> portData(ch, data, size);
    private final GObject.SignalEvent onDelete = (w, ev, u) -> windowDelete(w);
    private final GObject.Signal0 onDestroy = (w, u) -> windowDestroyed(w);
    private final GObject.SignalEvent onKey = (w, ev, u) -> keyPress(ev);
    private final GLib.GSourceFunc onGrace = d -> graceExpired();
    private final GLib.GSourceFunc onRetry = d -> retryNow();
    private final GLib.GSourceFunc onReconnectFallback = d -> {
        connectAgain();
        return 0;
    };

    SpiceSession(GLoop loop, SpiceOptions options) {
        this.loop = loop;
        this.options = options;
        this.fullscreen = options.fullscreen();
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vmc-spice-events " + options.uri());
            t.setDaemon(true);
            eventThread = t;
            return t;
        });
        RETAINED.add(this);
    }

    /** Starts connecting; loop thread. */
    void start() {
        if (options.showDisplay()) {
            openWindow(); // first: a missing X display fails before anything connects
        }
        GObject g = GObject.INSTANCE;
        session = SpiceGlib.INSTANCE.spice_session_new();
        if (options.showDisplay()) {
            startClipboard();
        }
        g.g_object_set(session, "uri", options.uri(), (Object) null);
        options.password().ifPresent(p -> g.g_object_set(session, "password", p, (Object) null));
        options.caFile().ifPresent(f -> g.g_object_set(session, "ca-file", f.toString(), (Object) null));
        options.proxy().ifPresent(p -> g.g_object_set(session, "proxy", p, (Object) null)); // spice-gtk's HTTP CONNECT
        options.hostSubject().ifPresent(s -> g.g_object_set(session, "cert-subject", s, "verify",
                SpiceGlib.SPICE_SESSION_VERIFY_SUBJECT, (Object) null));
        if (options.usbRedirection()) {
            startUsbRedirection();
        }
        if (options.desktopAudio()) {
            // before connecting: it takes the playback/record channels from channel-new itself
            if (SpiceGlib.INSTANCE.spice_audio_get(session, null) == null) {
                LOG.warn("{}: spice-gtk has no audio backend: the VM's sound stays in the VM", options.uri());
            }
        }
        connect(session, "channel-new", onChannelNew);
        connect(session, "channel-destroy", onChannelDestroy);
        connect(session, "disconnected", onSessionDisconnected);
        if (SpiceGlib.INSTANCE.spice_session_connect(session) == 0) {
            throw new IllegalStateException("spice-gtk refused to connect to " + options.uri());
        }
    }

    String uri() {
        return options.uri();
    }

    public SpiceOptions options() {
        return options;
    }

    /**
     * The client end of the port channel {@code portName}, e.g. {@link SpiceClient#VMC_PORT_NAME}.
     * Available at once: it reports no peer until the guest has the port open, and it survives
     * reconnects of the session. One stream per name; close it to let another be taken.
     *
     * @throws IllegalStateException if the session is closed or the name is already taken
     */
    public StreamPort portChannel(String portName) {
        Objects.requireNonNull(portName, "portName must not be null");
        if (closed) {
            throw new IllegalStateException("the SPICE session " + options.uri() + " is closed");
        }
        SpicePortStream s = new SpicePortStream(this, portName, loop);
        if (streams.putIfAbsent(portName, s) != null) {
            throw new IllegalStateException("port channel '" + portName + "' is already in use in this session");
        }
        loop.execute(() -> {
            for (Map.Entry<Pointer, String> e : portChannels.entrySet()) {
                if (portName.equals(e.getValue())) {
                    s.bind(e.getKey(), getBoolean(e.getKey(), "port-opened"));
                }
            }
        });
        return s;
    }

    public void addListener(SpiceSessionListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
    }

    public void removeListener(SpiceSessionListener listener) {
        listeners.remove(listener);
    }

    /** Whether the main channel is up. */
    public boolean isConnected() {
        return connected;
    }

    /**
     * The names of the port channels the server has set up for this session, e.g.
     * {@link SpiceClient#VMC_PORT_NAME}: a name appears some milliseconds after {@link #isConnected()},
     * once the server has sent it, and goes with its channel (a reconnect drops the old channels
     * first). Empty once closed.
     */
    public java.util.Set<String> portChannelNames() {
        return portNames;
    }

    /** Whether the window is (or was asked to be, without a window manager) fullscreen; F11 toggles it. */
    public boolean isFullscreen() {
        return fullscreen;
    }

    /** X11 id of the display window (for the overlay renderer); empty without a window. */
    public OptionalLong displayWindowId() {
        long id = windowXid;
        return id != 0 ? OptionalLong.of(id) : OptionalLong.empty();
    }

    /**
     * A copy of part of the guest's screen as this session received it: the primary surface of the
     * SPICE display channel, that is the guest's own pixels, never what the thin client draws over
     * the window (the video overlay, other windows). Works with or without a window.
     *
     * @param area the part wanted, in guest screen coordinates; cut to the screen; null = all of it
     * @return empty before the guest's first picture, when the area lies off the screen, or for a
     *     surface format other than 32-bit
     */
    public java.util.Optional<ScreenPicture> captureScreen(java.awt.Rectangle area) {
        if (closed) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.ofNullable(loop.call(() -> copyPrimary(area)));
    }

    /** Loop thread: the surface memory is freed on a mode change, which also happens on this thread. */
    private ScreenPicture copyPrimary(java.awt.Rectangle area) {
        if (displayChannel == null) {
            return null;
        }
        try (com.sun.jna.Memory primary = new com.sun.jna.Memory(SpiceGlib.PRIMARY_SIZE + 24)) {
            primary.clear();
            if (SpiceGlib.INSTANCE.spice_display_channel_get_primary(displayChannel, 0, primary) == 0) {
                return null;
            }
            int format = primary.getInt(SpiceGlib.PRIMARY_FORMAT_OFFSET);
            int sw = primary.getInt(SpiceGlib.PRIMARY_WIDTH_OFFSET);
            int sh = primary.getInt(SpiceGlib.PRIMARY_HEIGHT_OFFSET);
            int stride = primary.getInt(SpiceGlib.PRIMARY_STRIDE_OFFSET);
            Pointer data = primary.getPointer(SpiceGlib.PRIMARY_DATA_OFFSET);
            if (data == null || sw <= 0 || sh <= 0 || stride < sw * 4
                    || format != SpiceGlib.SPICE_SURFACE_FMT_32_xRGB && format != SpiceGlib.SPICE_SURFACE_FMT_32_ARGB) {
                return null;
            }
            java.awt.Rectangle r = area == null ? new java.awt.Rectangle(0, 0, sw, sh)
                    : area.intersection(new java.awt.Rectangle(0, 0, sw, sh));
            if (r.isEmpty()) {
                return null;
            }
            byte[] bgrx = new byte[r.width * r.height * 4];
            for (int y = 0; y < r.height; y++) {
                data.read((long) (r.y + y) * stride + r.x * 4L, bgrx, y * r.width * 4, r.width * 4);
            }
            return new ScreenPicture(sw, sh, r.x, r.y, r.width, r.height, bgrx);
        }
    }

    /**
     * X11 ids of the session's windows, one per guest monitor (a head of a display channel: a QXL
     * device with several outputs has one channel and a head per output that the guest has on),
     * in (channel, head) order; the first is {@link #displayWindowId()}.
     */
    public List<Long> displayWindowIds() {
        return windowIds;
    }

    /**
     * The guest's monitors in (display channel, head) order, each with its window (0 when the user
     * closed it or there is no display) and the part of the guest's surface that window shows: a
     * channel's first head always, its other heads while the guest has them on; as
     * spice-gtk has them now: the video overlay maps the guest's desktop onto them. Empty once closed.
     */
    public List<DisplayMonitor> displayMonitors() {
        if (closed) {
            return List.of();
        }
        try {
            // bounded: the overlay asks on its own thread for every update and must not hang on a busy loop
            lastMonitors = loop.call(this::readMonitors, MONITORS_WAIT_MILLIS);
        } catch (IllegalStateException busy) {
            LOG.debug("{}: monitors not read ({}); using the last known", options.uri(), busy.getMessage());
        }
        return lastMonitors;
    }

    /** Loop thread: spice-gtk changes a channel's monitors and surfaces on this thread. */
    private List<DisplayMonitor> readMonitors() {
        List<DisplayMonitor> out = new ArrayList<>(displayChannels.size());
        for (Map.Entry<Integer, Pointer> e : displayChannels.entrySet()) {
            int channelId = e.getKey();
            List<MonitorConfig> configs = monitorConfigs(e.getValue());
            int[] r = shownArea(e.getValue(), configs);
            out.add(new DisplayMonitor(channelId, 0, xidOf(new Head(channelId, 0)), r[0], r[1], r[2], r[3]));
            for (MonitorConfig c : configs) {
                if (c.id() > 0 && c.enabled()) {
                    out.add(new DisplayMonitor(channelId, c.id(), xidOf(new Head(channelId, c.id())),
                            c.x(), c.y(), c.width(), c.height()));
                }
            }
        }
        out.sort(java.util.Comparator.comparingInt(DisplayMonitor::channelId).thenComparingInt(DisplayMonitor::monitorId));
        return List.copyOf(out);
    }

    private long xidOf(Head head) {
        Monitor m = monitors.get(head);
        return m != null ? m.xid : 0;
    }

    /** A display channel's monitor configs as spice-gtk has them now (loop thread). */
    private static List<MonitorConfig> monitorConfigs(Pointer channel) {
        PointerByReference ref = new PointerByReference();
        GObject.INSTANCE.g_object_get(channel, "monitors", ref, (Object) null);
        Pointer array = ref.getValue(); // a GArray of SpiceDisplayMonitorConfig, a new reference
        if (array == null) {
            return List.of();
        }
        try {
            return MonitorConfig.parse(array);
        } finally {
            GLib.INSTANCE.g_array_unref(array);
        }
    }

    /**
     * What spice-gtk's widget for head 0 of a display channel shows: that head's config if the
     * guest sent one, else the whole primary surface; zeros before the first picture.
     */
    private static int[] shownArea(Pointer channel, List<MonitorConfig> configs) {
        for (MonitorConfig c : configs) {
            if (c.id() == 0) {
                return new int[] {c.x(), c.y(), c.width(), c.height()};
            }
        }
        try (com.sun.jna.Memory primary = new com.sun.jna.Memory(SpiceGlib.PRIMARY_SIZE + 24)) {
            primary.clear();
            if (SpiceGlib.INSTANCE.spice_display_channel_get_primary(channel, 0, primary) == 0) {
                return new int[4];
            }
            return new int[] {0, 0, primary.getInt(SpiceGlib.PRIMARY_WIDTH_OFFSET), primary.getInt(SpiceGlib.PRIMARY_HEIGHT_OFFSET)};
        }
    }

    /** Sets fullscreen on every window of the session (as the toggle-fullscreen key does). */
    public void setFullscreen(boolean on) {
        loop.execute(() -> applyFullscreen(on));
    }

    /**
     * Sends a key combination to the guest through the first display's inputs channel: the GDK
     * keyvals are pressed in order and released in reverse (spice_display_send_keys).
     *
     * @throws IllegalStateException without a display window
     */
    public void sendKeys(int... keyvals) {
        if (keyvals.length == 0 || keyvals.length > 8) {
            throw new IllegalArgumentException("sendKeys takes 1 to 8 keys, got " + keyvals.length);
        }
        int[] keys = keyvals.clone();
        loop.call(() -> {
            Monitor m = monitors.get(Head.FIRST);
            if (m == null || m.widget == null) {
                throw new IllegalStateException("no display in this session to send keys through");
            }
            Gtk.SpiceGtkLib.INSTANCE.spice_display_send_keys(m.widget, keys, keys.length,
                    Gtk.SpiceGtkLib.SPICE_DISPLAY_KEY_EVENT_CLICK);
            return null;
        });
    }

    /** Ctrl+Alt+Del to the guest (what the secure-attention key sends). */
    public void sendCtrlAltDel() {
        sendKeys(Gtk.GdkLib.GDK_KEY_CONTROL_L, Gtk.GdkLib.GDK_KEY_ALT_L, Gtk.GdkLib.GDK_KEY_DELETE);
    }

    /** Whether spice-gtk's clipboard sharing is on for this session (its auto-clipboard, read back). */
    public boolean isClipboardShared() {
        return loop.call(() -> gtkSession != null && getBoolean(gtkSession, "auto-clipboard"));
    }

    /** Whether the session has spice-gtk's USB device manager (USB redirection possible). */
    public boolean hasUsbDeviceManager() {
        return usbManagerPresent;
    }

    /** How many usbredir channels the server offers (one per redirected-USB slot of the VM). */
    public int usbRedirChannelCount() {
        return usbRedirChannels;
    }

    /**
     * Drops the connection, if any, and connects again with the same options (after a takeover or
     * a lost connection). Port streams stay valid and bind the new channels.
     */
    public void reconnect() {
        if (closed) {
            throw new IllegalStateException("the SPICE session " + options.uri() + " is closed");
        }
        loop.execute(() -> {
            if (session == null || closed) {
                return;
            }
            LOG.info("{}: reconnecting", options.uri());
            reconnecting = true;
            connected = false;
            mainOpened = false;
            reportedNoChannel = false;
            if (mainChannel == null && portChannels.isEmpty()) {
                connectAgain();
            } else {
                // Asynchronous: channels are destroyed from an idle source, then "disconnected" comes.
                SpiceGlib.INSTANCE.spice_session_disconnect(session);
                GLib.INSTANCE.g_timeout_add(RECONNECT_FALLBACK_MILLIS, onReconnectFallback, null);
            }
        });
    }

    private void connectAgain() {
        if (!reconnecting || session == null || closed) {
            return;
        }
        reconnecting = false;
        resetProtocol();
        if (SpiceGlib.INSTANCE.spice_session_connect(session) == 0) {
            LOG.warn("{}: spice-gtk refused to reconnect", options.uri());
        }
    }

    /**
     * Back to SPICE protocol 2 before each attempt. A link cut before the server's header arrives
     * (a network loss at the wrong moment) makes spice-gtk set the session's "protocol" to 1, for
     * spice 0.4 servers, and leave it there: every later attempt then sent a protocol-1 link that
     * the server refused ("LINK" errors for good, SpiceSessionIT's lost-network test).
     */
    private void resetProtocol() {
        GObject.INSTANCE.g_object_set(session, "protocol", SPICE_PROTOCOL, (Object) null);
    }

    /** Disconnects, closes the window and every port stream of this session. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (SpicePortStream s : List.copyOf(streams.values())) {
            s.close();
        }
        loop.call(() -> {
            closeOnLoop();
            return null;
        });
        events.shutdown();
        if (Thread.currentThread() != eventThread) { // a listener may close the session
            try {
                events.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeOnLoop() {
        if (graceTimer != 0) {
            GLib.INSTANCE.g_source_remove(graceTimer);
            graceTimer = 0;
        }
        connected = false;
        portNames = java.util.Set.of();
        // The widgets first, while the channels they watch still exist.
        for (Monitor m : List.copyOf(monitors.values())) {
            Gtk.GtkLib.INSTANCE.gtk_widget_destroy(m.window);
        }
        monitors.clear();
        closedByUser.clear();
        displayChannels.clear();
        publishWindows();
        if (session != null) {
            SpiceGlib.INSTANCE.spice_session_disconnect(session);
        }
        if (session != null) {
            GObject.INSTANCE.g_object_unref(session);
            session = null;
        }
    }

    void release(SpicePortStream s) {
        streams.remove(s.name(), s);
    }

    // ---- the window ----

    /** A head of a display channel: what has a window. Ordered by channel, then head. */
    record Head(int channel, int monitor) implements Comparable<Head> {
        /** Channel 0's first head: the session window, {@link #displayWindowId()}. */
        static final Head FIRST = new Head(0, 0);

        @Override
        public int compareTo(Head o) {
            int c = Integer.compare(channel, o.channel);
            return c != 0 ? c : Integer.compare(monitor, o.monitor);
        }

        @Override
        public String toString() {
            return channel + "." + monitor;
        }
    }

    /**
     * The window title of the {@code index}th (0-based) of the session's windows in head order,
     * remote-viewer's style: the first has the title, the others say which they are.
     */
    static String windowTitle(String title, int index) {
        return index == 0 ? title : title + " (display " + (index + 1) + ")";
    }

    /** One window per head: GTK's window and spice-gtk's widget in it. */
    private static final class Monitor {
        final Head head;
        final Pointer window;
        Pointer widget;
        final long xid;
        String title;

        Monitor(Head head, Pointer window, long xid, String title) {
            this.head = head;
            this.window = window;
            this.xid = xid;
            this.title = title;
        }
    }

    private void openWindow() {
        loop.ensureGtk();
        String name = options.x11Display().orElse(System.getenv("DISPLAY"));
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("no X11 display to show the SPICE session on: DISPLAY is not set");
        }
        loop.display(name); // fails clearly before anything connects
        toggleFullscreenKey = keyval(options.toggleFullscreenKey(), "toggle-fullscreen");
        secureAttentionKey = keyval(options.secureAttentionKey(), "secure-attention");
        openMonitorWindow(Head.FIRST);
    }

    /** {modifier mask, lower-case keyval} of a hotkey. */
    private static int[] keyval(Hotkey k, String what) {
        Gtk.GdkLib gdk = Gtk.GdkLib.INSTANCE;
        int v = gdk.gdk_keyval_from_name(k.gdkName());
        if (v == Gtk.GdkLib.GDK_KEY_VOID_SYMBOL || v == 0) {
            v = gdk.gdk_keyval_from_name(k.key()); // spelt as GDK spells it (Page_Up, KP_Enter)
        }
        if (v == Gtk.GdkLib.GDK_KEY_VOID_SYMBOL || v == 0) {
            throw new IllegalArgumentException(what + " hotkey " + k + ": GDK knows no key named \"" + k.key() + "\"");
        }
        int mask = (k.ctrl() ? Gtk.GdkLib.GDK_CONTROL_MASK : 0) | (k.alt() ? Gtk.GdkLib.GDK_MOD1_MASK : 0)
                | (k.shift() ? Gtk.GdkLib.GDK_SHIFT_MASK : 0) | (k.superKey() ? Gtk.GdkLib.GDK_SUPER_MASK : 0);
        return new int[] {mask, gdk.gdk_keyval_to_lower(v)};
    }

    private Monitor openMonitorWindow(Head head) {
        Gtk.GtkLib gtk = Gtk.GtkLib.INSTANCE;
        Gtk.GdkLib gdk = Gtk.GdkLib.INSTANCE;
        Pointer gdkDisplay = loop.display(options.x11Display().orElse(System.getenv("DISPLAY")));
        Pointer window = gtk.gtk_window_new(Gtk.GtkLib.GTK_WINDOW_TOPLEVEL);
        gtk.gtk_window_set_screen(window, gdk.gdk_display_get_default_screen(gdkDisplay));
        String title = windowTitle(options.title(), numbered(head).indexOf(head));
        gtk.gtk_window_set_title(window, title);
        gtk.gtk_window_set_default_size(window, 1024, 768);
        connect(window, "delete-event", onDelete);
        connect(window, "destroy", onDestroy);
        connect(window, "key-press-event", onKey);
        if (fullscreen) {
            gtk.gtk_window_fullscreen(window); // before mapping: the window manager maps it fullscreen
        }
        gtk.gtk_widget_show_all(window);
        Monitor m = new Monitor(head, window, gdk.gdk_x11_window_get_xid(gtk.gtk_widget_get_window(window)).longValue(), title);
        monitors.put(head, m);
        retitle();
        publishWindows();
        gdk.gdk_display_flush(gdkDisplay);
        return m;
    }

    private void publishWindows() {
        List<Long> ids = new ArrayList<>();
        for (Monitor m : monitors.values()) {
            ids.add(m.xid);
        }
        windowIds = List.copyOf(ids);
        Monitor first = monitors.get(Head.FIRST);
        windowXid = first != null ? first.xid : 0;
    }

    /**
     * The heads that windows are numbered over, in order: those with a window and those whose
     * window the user closed (so closing one does not renumber the others).
     */
    private List<Head> numbered(Head extra) {
        java.util.TreeSet<Head> heads = new java.util.TreeSet<>(monitors.keySet());
        heads.addAll(closedByUser);
        heads.add(Head.FIRST);
        heads.add(extra);
        return List.copyOf(heads);
    }

    /** Titles follow the windows' order: a head appearing before others moves their numbers. */
    private void retitle() {
        List<Head> order = numbered(Head.FIRST);
        for (Monitor m : monitors.values()) {
            String title = windowTitle(options.title(), order.indexOf(m.head));
            if (!title.equals(m.title)) {
                m.title = title;
                Gtk.GtkLib.INSTANCE.gtk_window_set_title(m.window, title);
            }
        }
    }

    /** A display channel exists: its first head's window gets spice-gtk's widget (window 0 is open already). */
    private void addDisplayWidget(int channelId) {
        if (!options.showDisplay() || closed) {
            return;
        }
        Head head = new Head(channelId, 0);
        Monitor m = monitors.get(head);
        if (m == null) {
            if (channelId == 0) {
                return; // the user closed the first window: the session is going
            }
            closedByUser.remove(head); // a channel's first head comes back with its channel, as before heads
            m = openMonitorWindow(head);
        }
        addWidget(m);
    }

    private void addWidget(Monitor m) {
        if (m.widget != null) {
            return;
        }
        Gtk.GtkLib gtk = Gtk.GtkLib.INSTANCE;
        Pointer widget = Gtk.SpiceGtkLib.INSTANCE.spice_display_new_with_monitor(session, m.head.channel(), m.head.monitor());
        m.widget = widget;
        // resize-guest: the guest's agent resizes its desktop to the window, as remote-viewer does
        GObject.INSTANCE.g_object_set(widget, "scaling", 1, "resize-guest", 1, (Object) null);
        options.releaseCursorKey().ifPresent(k -> {
            Pointer seq = Gtk.SpiceGtkLib.INSTANCE.spice_grab_sequence_new_from_string(k.grabSequence());
            Gtk.SpiceGtkLib.INSTANCE.spice_display_set_grab_keys(widget, seq); // copies it
            Gtk.SpiceGtkLib.INSTANCE.spice_grab_sequence_free(seq);
        });
        gtk.gtk_container_add(m.window, m.widget);
        gtk.gtk_widget_show_all(m.window);
        if (m.head.equals(Head.FIRST)) {
            gtk.gtk_widget_grab_focus(m.widget);
        }
    }

    /**
     * A display channel's monitor configs changed (the guest's driver turned heads on or off, or
     * moved them): from the signal, handled from the loop's queue, after spice-gtk has finished.
     */
    private void monitorsChanged(Pointer ch) {
        loop.execute(() -> syncHeads(ch));
    }

    /**
     * A window for each head beyond the first that the guest has on, as remote-viewer: heads the
     * guest turned off lose theirs (a head's window is closed the way the user closes it, which the
     * overlay already follows). A channel's first head keeps its window as before (the guest may
     * report no configs at all).
     */
    private void syncHeads(Pointer ch) {
        if (!options.showDisplay() || closed || !displayChannels.containsValue(ch)) {
            return;
        }
        int channelId = getInt(ch, "channel-id");
        List<Integer> on = MonitorConfig.extraHeads(monitorConfigs(ch));
        for (Monitor m : List.copyOf(monitors.values())) {
            if (m.head.channel() == channelId && m.head.monitor() > 0 && !on.contains(m.head.monitor())) {
                LOG.info("{}: the guest turned display {} off", options.uri(), m.head);
                Gtk.GtkLib.INSTANCE.gtk_widget_destroy(m.window); // "destroy" drops it from monitors
            }
        }
        // turned off, a head is new again when it comes back
        closedByUser.removeIf(h -> h.channel() == channelId && h.monitor() > 0 && !on.contains(h.monitor()));
        for (int id : on) {
            Head head = new Head(channelId, id);
            if (!monitors.containsKey(head) && !closedByUser.contains(head)) {
                LOG.info("{}: the guest turned display {} on", options.uri(), head);
                addWidget(openMonitorWindow(head));
            }
        }
        retitle();
    }

    /**
     * The GTK session: clipboard sharing both ways (needs spice-vdagent in the guest), and USB
     * auto-redirection, which it turns on only while a session window has the focus, as in remote-viewer.
     */
    private void startClipboard() {
        gtkSession = Gtk.SpiceGtkLib.INSTANCE.spice_gtk_session_get(session);
        if (gtkSession != null) {
            GObject.INSTANCE.g_object_set(gtkSession, "auto-clipboard", options.clipboard() ? 1 : 0,
                    "auto-usbredir", options.usbRedirection() && options.usbAutoConnectFilter().isPresent() ? 1 : 0,
                    (Object) null);
        }
    }

    private void startUsbRedirection() {
        PointerByReference error = new PointerByReference();
        usbManager = SpiceGlib.INSTANCE.spice_usb_device_manager_get(session, error);
        if (usbManager == null) {
            Pointer e = error.getValue();
            LOG.warn("{}: no USB redirection: {}", options.uri(), e != null ? e.getPointer(8).getString(0) : "spice-gtk has none");
            return;
        }
        usbManagerPresent = true;
        GObject g = GObject.INSTANCE;
        Optional<UsbFilter> auto = options.usbAutoConnectFilter();
        if (gtkSession == null) { // no window, so no focus to follow
            g.g_object_set(usbManager, "auto-connect", auto.isPresent() ? 1 : 0, (Object) null);
        }
        auto.ifPresent(f -> g.g_object_set(usbManager, "auto-connect-filter", f.toString(), (Object) null));
        options.usbRedirectOnConnect().ifPresent(f -> g.g_object_set(usbManager, "redirect-on-connect", f.toString(), (Object) null));
    }

    private int windowDelete(Pointer w) {
        Monitor m = monitorOf(w);
        if (m != null && !m.head.equals(Head.FIRST)) {
            LOG.info("{}: the user closed the window of display {} ({})", options.uri(), m.head, m.title);
            closedByUser.add(m.head);
            return 0; // GTK destroys it; the session goes on (remote-viewer's way)
        }
        LOG.info("{}: the user closed the display window", options.uri());
        fire(l -> l.windowClosed(this));
        // Let GTK destroy the window, then close the session as remote-viewer would.
        loop.execute(() -> {
            if (!closed) {
                closed = true;
                for (SpicePortStream s : List.copyOf(streams.values())) {
                    s.close();
                }
                closeOnLoop();
                fire(l -> l.disconnected(this));
                events.shutdown();
            }
        });
        return 0;
    }

    private void windowDestroyed(Pointer w) {
        Monitor m = monitorOf(w);
        if (m != null) {
            monitors.remove(m.head);
            publishWindows();
        }
    }

    private Monitor monitorOf(Pointer window) {
        for (Monitor m : monitors.values()) {
            if (m.window.equals(window)) {
                return m;
            }
        }
        return null;
    }

    private int keyPress(Pointer event) {
        int keyval = Gtk.GdkLib.INSTANCE.gdk_keyval_to_lower(event.getInt(Gtk.GdkLib.GDK_EVENT_KEY_KEYVAL_OFFSET));
        int state = event.getInt(Gtk.GdkLib.GDK_EVENT_KEY_STATE_OFFSET) & (Gtk.GdkLib.GDK_CONTROL_MASK
                | Gtk.GdkLib.GDK_MOD1_MASK | Gtk.GdkLib.GDK_SHIFT_MASK | Gtk.GdkLib.GDK_SUPER_MASK);
        if (matches(toggleFullscreenKey, state, keyval)) {
            applyFullscreen(!fullscreen);
            return 1;
        }
        if (matches(secureAttentionKey, state, keyval)) {
            Monitor m = monitors.get(Head.FIRST);
            if (m != null && m.widget != null) {
                LOG.info("{}: sending Ctrl+Alt+Del (secure-attention key)", options.uri());
                Gtk.SpiceGtkLib.INSTANCE.spice_display_send_keys(m.widget, new int[] {Gtk.GdkLib.GDK_KEY_CONTROL_L,
                        Gtk.GdkLib.GDK_KEY_ALT_L, Gtk.GdkLib.GDK_KEY_DELETE}, 3, Gtk.SpiceGtkLib.SPICE_DISPLAY_KEY_EVENT_CLICK);
            }
            return 1;
        }
        return 0;
    }

    private static boolean matches(int[] hotkey, int state, int keyval) {
        return hotkey != null && hotkey[0] == state && hotkey[1] == keyval;
    }

    private void applyFullscreen(boolean on) {
        fullscreen = on;
        for (Monitor m : monitors.values()) {
            if (on) {
                Gtk.GtkLib.INSTANCE.gtk_window_fullscreen(m.window);
            } else {
                Gtk.GtkLib.INSTANCE.gtk_window_unfullscreen(m.window);
            }
        }
    }

    // ---- signals ----

    private void channelNew(Pointer ch) {
        int type = getInt(ch, "channel-type");
        if (type == SpiceGlib.SPICE_CHANNEL_MAIN) {
            mainChannel = ch;
            connect(ch, "channel-event", onChannelEvent);
        } else if (type == SpiceGlib.SPICE_CHANNEL_DISPLAY) {
            int channelId = getInt(ch, "channel-id");
            if (channelId == 0) displayChannel = ch;
            addDisplayWidget(channelId);
            displayChannels.put(channelId, ch);
            connect(ch, "notify::monitors", onMonitors); // the heads of one device: a window each
        } else if (type == SpiceGlib.SPICE_CHANNEL_USBREDIR) {
            usbRedirChannels++; // the device manager connects it
        } else if (type == SpiceGlib.SPICE_CHANNEL_PORT) {
            portChannels.put(ch, null);
            connect(ch, "notify::port-name", onPortName);
            connect(ch, "notify::port-opened", onPortOpened);
            connect(ch, "port-data", onPortData);
            connect(ch, "channel-event", onChannelEvent);
            SpiceGlib.INSTANCE.spice_channel_connect(ch);
        }
    }

    private void channelDestroy(Pointer ch) {
        if (ch.equals(mainChannel)) {
            mainChannel = null;
        }
        if (ch.equals(displayChannel)) {
            displayChannel = null;
        }
        displayChannels.values().remove(ch);
        String name = portChannels.remove(ch);
        publishPortNames();
        if (name != null) {
            SpicePortStream s = streams.get(name);
            if (s != null && s.isBoundTo(ch)) {
                boolean wasOpen = s.isPeerConnected();
                s.unbind(ch);
                if (wasOpen) {
                    fire(l -> l.portClosed(this, name));
                }
            }
        }
    }

    private void sessionDisconnected() {
        LOG.debug("{}: all channels are gone", options.uri());
        // Not from inside the signal: spice-gtk emits it while still marked as disconnecting.
        loop.execute(this::connectAgain);
    }

    private void channelEvent(Pointer ch, int event) {
        boolean main = ch.equals(mainChannel);
        LOG.debug("{}: {} channel event {}", options.uri(), main ? "main" : "port", event);
        if (!main) {
            if (event != SpiceGlib.SPICE_CHANNEL_OPENED) {
                String name = portChannels.get(ch);
                SpicePortStream s = name != null ? streams.get(name) : null;
                if (s != null && s.isBoundTo(ch) && s.isPeerConnected()) {
                    s.setOpened(false);
                    fire(l -> l.portClosed(this, name));
                }
            }
            return;
        }
        switch (event) {
            case SpiceGlib.SPICE_CHANNEL_OPENED -> {
                mainOpened = true;
                everConnected = true;
                retries = 0;
                connected = true;
                LOG.info("{}: connected", options.uri());
                fire(l -> l.connected(this));
                if (graceTimer == 0) {
                    graceTimer = GLib.INSTANCE.g_timeout_add(PORT_CHANNEL_GRACE_MILLIS, onGrace, null);
                }
            }
            case SpiceGlib.SPICE_CHANNEL_SWITCHING -> {
                LOG.info("{}: migrating", options.uri());
                fire(l -> l.migrated(this));
            }
            case SpiceGlib.SPICE_CHANNEL_CLOSED -> closedByServer(null);
            case SpiceGlib.SPICE_CHANNEL_ERROR_IO -> {
                if (connected) {
                    closedByServer(channelError(ch));
                } else {
                    lost(errorFor(ch, event));
                }
            }
            default -> lost(errorFor(ch, event));
        }
    }

    private void lost(SpiceSessionError error) {
        if (reconnecting || closed) {
            connected = false;
            return;
        }
        boolean was = connected;
        connected = false;
        mainOpened = false;
        if (error != null) {
            LOG.warn("{}: {}", options.uri(), error);
            fire(l -> l.error(this, error));
        }
        if (was || error != null) {
            fire(l -> l.disconnected(this));
        }
        // LINK too: a connection cut during the link handshake reads as a refused link
        if (everConnected && error != null && (error.kind() == SpiceSessionError.Kind.IO
                || error.kind() == SpiceSessionError.Kind.CONNECT || error.kind() == SpiceSessionError.Kind.LINK)) {
            retryLater();
        }
    }

    private int retryNow() {
        retryScheduled = false;
        if (!closed && !connected) {
            LOG.info("{}: connecting again after the loss (attempt {})", options.uri(), retries);
            reconnect();
        }
        return 0; // one-shot timer
    }

    /** After a loss, with {@link SpiceOptions#reconnectAfterLoss()}: connect again after the back-off. */
    private void retryLater() {
        if (!options.reconnectAfterLoss() || closed) {
            return;
        }
        loop.execute(() -> {
            if (closed || connected || retryScheduled) {
                return;
            }
            retryScheduled = true;
            GLib.INSTANCE.g_timeout_add(RETRY_MILLIS[Math.min(retries++, RETRY_MILLIS.length - 1)], onRetry, null);
        });
    }

    /**
     * The server closed the main channel, cleanly or not. spice-server does that to the old client
     * when another one connects, and the client sees nothing else (CLOSED or ERROR_IO, depending on
     * timing); a stopped QEMU no longer listens. So: still listening means taken over.
     */
    private void closedByServer(String detail) {
        boolean was = connected;
        connected = false;
        mainOpened = false;
        if (!was || closed || reconnecting) {
            if (!was && !closed && !reconnecting && retries > 0) {
                retryLater(); // an attempt after a loss closed before it opened
            }
            return;
        }
        if (events.isShutdown()) {
            return;
        }
        try {
            events.execute(() -> {
                // A QEMU that is stopping drops its clients a moment before it stops listening.
                boolean listening = false;
                try {
                    Thread.sleep(TAKEOVER_PROBE_DELAY_MILLIS);
                    listening = options.probeServer(Duration.ofSeconds(2));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                SpiceSessionError e = listening
                        ? new SpiceSessionError(SpiceSessionError.Kind.TAKEN_OVER, "another SPICE client connected to "
                                + options.uri() + " and took the session over")
                        : new SpiceSessionError(SpiceSessionError.Kind.IO, "lost the SPICE connection to "
                                + options.uri() + ": the VM stopped or the network failed"
                                + (detail != null ? " (" + detail + ")" : ""));
                LOG.warn("{}: {}", options.uri(), e);
                for (SpiceSessionListener l : listeners) {
                    try {
                        l.error(this, e);
                        l.disconnected(this);
                    } catch (RuntimeException ex) {
                        LOG.error("SPICE session listener {} failed", l, ex);
                    }
                }
                if (!listening) {
                    retryLater(); // the server went away, not to another client
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("event after close dropped");
        }
    }

    private SpiceSessionError errorFor(Pointer ch, int event) {
        String detail = channelError(ch);
        String suffix = detail != null ? " (" + detail + ")" : "";
        return switch (event) {
            case SpiceGlib.SPICE_CHANNEL_ERROR_CONNECT -> new SpiceSessionError(SpiceSessionError.Kind.CONNECT,
                    "cannot connect to " + options.uri() + ": check the host and port, and that the VM runs" + suffix);
            case SpiceGlib.SPICE_CHANNEL_ERROR_TLS -> new SpiceSessionError(SpiceSessionError.Kind.TLS,
                    "TLS failed with " + options.uri() + ": check the CA file and the host subject" + suffix);
            case SpiceGlib.SPICE_CHANNEL_ERROR_LINK -> new SpiceSessionError(SpiceSessionError.Kind.LINK,
                    "the SPICE server at " + options.uri() + " refused the link (TLS required?)" + suffix);
            case SpiceGlib.SPICE_CHANNEL_ERROR_AUTH -> new SpiceSessionError(SpiceSessionError.Kind.AUTH,
                    "the SPICE server at " + options.uri() + " refused the password" + suffix);
            default -> everConnected
                    ? new SpiceSessionError(SpiceSessionError.Kind.IO,
                            "lost the SPICE connection to " + options.uri() + suffix)
                    : new SpiceSessionError(SpiceSessionError.Kind.CONNECT,
                            "cannot connect to " + options.uri() + suffix);
        };
    }

    private void portNameKnown(Pointer ch) {
        String name = getString(ch, "port-name");
        if (name == null || !portChannels.containsKey(ch)) {
            return;
        }
        portChannels.put(ch, name);
        publishPortNames();
        LOG.debug("{}: port channel '{}'", options.uri(), name);
        SpicePortStream s = streams.get(name);
        if (s != null) {
            boolean open = getBoolean(ch, "port-opened");
            s.bind(ch, open);
            if (open) {
                fire(l -> l.portOpened(this, name));
            }
        }
    }

    private void portOpenedChanged(Pointer ch) {
        String name = portChannels.get(ch);
        if (name == null) {
            return;
        }
        boolean open = getBoolean(ch, "port-opened");
        SpicePortStream s = streams.get(name);
        if (s != null && s.isBoundTo(ch)) {
            s.setOpened(open);
        }
        LOG.debug("{}: port '{}' {}", options.uri(), name, open ? "opened" : "closed");
        fire(l -> {
            if (open) {
                l.portOpened(this, name);
            } else {
                l.portClosed(this, name);
            }
        });
    }

    private void portData(Pointer ch, Pointer data, int size) {
        String name = portChannels.get(ch);
        SpicePortStream s = name != null ? streams.get(name) : null;
        if (s != null && s.isBoundTo(ch) && size > 0) {
            s.onData(data, size);
        }
    }

    private int graceExpired() {
        graceTimer = 0;
        if (!mainOpened || closed) {
            return 0;
        }
        List<String> wanted = new ArrayList<>(streams.keySet());
        if (!wanted.contains(SpiceClient.VMC_PORT_NAME)) {
            wanted.add(SpiceClient.VMC_PORT_NAME);
        }
        for (String name : wanted) {
            if (!portChannels.containsValue(name) && !reportedNoChannel) {
                reportedNoChannel = true;
                SpiceSessionError e = new SpiceSessionError(SpiceSessionError.Kind.NO_VMC_CHANNEL,
                        name.equals(SpiceClient.VMC_PORT_NAME) ? NO_VMC_CHANNEL_MESSAGE
                                : "no SPICE port channel '" + name + "' in this VM");
                LOG.warn("{}: {} (port channels: {})", options.uri(), e.message(), portChannels.values());
                fire(l -> l.error(this, e));
            }
        }
        return 0;
    }

    // ---- helpers ----

    private void publishPortNames() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String n : portChannels.values()) {
            if (n != null) {
                names.add(n);
            }
        }
        portNames = java.util.Collections.unmodifiableSet(names);
    }

    private void fire(Consumer<SpiceSessionListener> event) {
        if (events.isShutdown()) {
            return;
        }
        try {
            events.execute(() -> {
                for (SpiceSessionListener l : listeners) {
                    try {
                        event.accept(l);
                    } catch (RuntimeException e) {
                        LOG.error("SPICE session listener {} failed", l, e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("event after close dropped");
        }
    }

    private static void connect(Pointer instance, String signal, com.sun.jna.Callback handler) {
        NativeLong id = GObject.INSTANCE.g_signal_connect_data(instance, signal, handler, null, null, 0);
        if (id.longValue() == 0) {
            throw new IllegalStateException("cannot connect to signal '" + signal + "'");
        }
    }

    static int getInt(Pointer object, String property) {
        IntByReference v = new IntByReference();
        GObject.INSTANCE.g_object_get(object, property, v, (Object) null);
        return v.getValue();
    }

    static boolean getBoolean(Pointer object, String property) {
        return getInt(object, property) != 0;
    }

    static String getString(Pointer object, String property) {
        PointerByReference v = new PointerByReference();
        GObject.INSTANCE.g_object_get(object, property, v, (Object) null);
        Pointer p = v.getValue();
        if (p == null) {
            return null;
        }
        try {
            return p.getString(0);
        } finally {
            GLib.INSTANCE.g_free(p);
        }
    }

    private static String channelError(Pointer ch) {
        Pointer e = SpiceGlib.INSTANCE.spice_channel_get_error(ch);
        if (e == null) {
            return null;
        }
        Pointer message = e.getPointer(8);
        return message != null ? message.getString(0) : null;
    }

    @Override
    public String toString() {
        return "SpiceSession[" + options.uri() + (connected ? ", connected" : "") + (closed ? ", closed" : "") + "]";
    }
}
