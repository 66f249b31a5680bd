package io.vmc.port.spice;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How to open a SPICE session: where, with what credentials, and whether to show the display.
 *
 * <pre>{@code
 * SpiceOptions o = SpiceOptions.builder("spice://vdi.example:5900")
 *         .password(secret).caFile(Path.of("ca.pem")).hostSubject("C=XX,O=Example,CN=vdi")
 *         .build();
 * }</pre>
 */
public final class SpiceOptions {
    private final String uri;
    private final String password;
    private final Path caFile;
    private final String hostSubject;
    private final boolean showDisplay;
    private final String x11Display;
    private final String title;
    private final String proxy;
    private final boolean desktopAudio;
    private final boolean fullscreen;
    private final Hotkey toggleFullscreenKey;
    private final Hotkey releaseCursorKey;
    private final Hotkey secureAttentionKey;
    private final boolean clipboard;
    private final boolean reconnectAfterLoss;
    private final boolean usbRedirection;
    private final UsbFilter usbAutoConnectFilter;
    private final UsbFilter usbRedirectOnConnect;

    private SpiceOptions(Builder b) {
        this.fullscreen = b.fullscreen;
        this.toggleFullscreenKey = b.toggleFullscreenKey;
        this.releaseCursorKey = b.releaseCursorKey;
        this.secureAttentionKey = b.secureAttentionKey;
        this.clipboard = b.clipboard;
        this.reconnectAfterLoss = b.reconnectAfterLoss;
        this.usbRedirection = b.usbRedirection;
        this.usbAutoConnectFilter = b.usbAutoConnectFilter;
        this.usbRedirectOnConnect = b.usbRedirectOnConnect;
        this.proxy = b.proxy;
        this.desktopAudio = b.desktopAudio;
        this.uri = b.uri;
        this.password = b.password;
        this.caFile = b.caFile;
        this.hostSubject = b.hostSubject;
        this.showDisplay = b.showDisplay;
        this.x11Display = b.x11Display;
        this.title = b.title != null ? b.title : "VMC - " + b.uri;
    }

    /**
     * @param uri {@code spice://HOST:PORT}, {@code spice+tls://HOST:PORT} or spice-gtk's query form
     *     ({@code spice://HOST?port=P&tls-port=T})
     */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    public String uri() {
        return uri;
    }

    /** The session ticket; empty when the server has ticketing disabled. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    public Optional<Path> caFile() {
        return Optional.ofNullable(caFile);
    }

    /**
     * HTTP proxy the session tunnels through with CONNECT ({@code http://HOST:PORT}, the Proxmox VE
     * spiceproxy model); empty = spice-gtk's default ({@code SPICE_PROXY} in the environment, else direct).
     */
    public Optional<String> proxy() {
        return Optional.ofNullable(proxy);
    }

    /** The server certificate subject to require, e.g. {@code "C=XX,O=Example,CN=vdi"}. */
    public Optional<String> hostSubject() {
        return Optional.ofNullable(hostSubject);
    }

    public boolean showDisplay() {
        return showDisplay;
    }

    /**
     * Whether the VM's sound plays on this client and its virtual microphone records from this
     * client (the session's playback and record channels, as remote-viewer does; default true).
     */
    public boolean desktopAudio() {
        return desktopAudio;
    }

    /** Whether the windows open fullscreen (default false). */
    public boolean fullscreen() {
        return fullscreen;
    }

    /** The key that toggles fullscreen (default F11). */
    public Hotkey toggleFullscreenKey() {
        return toggleFullscreenKey;
    }

    /** The key that releases a grabbed pointer and keyboard; empty = spice-gtk's default (Ctrl+Alt). */
    public Optional<Hotkey> releaseCursorKey() {
        return Optional.ofNullable(releaseCursorKey);
    }

    /** The key that sends Ctrl+Alt+Del to the guest (virt-viewer's secure-attention; default Ctrl+Alt+End). */
    public Hotkey secureAttentionKey() {
        return secureAttentionKey;
    }

    /** Whether the clipboard is shared with the guest both ways (spice-gtk's auto-clipboard; default true). */
    public boolean clipboard() {
        return clipboard;
    }

    /**
     * Whether the session connects again by itself, with a back-off of 1 to 8 s, after it lost the
     * server (network down, VM stopped) until it is back (default false). Never after a takeover:
     * reconnecting would kick the other client.
     */
    public boolean reconnectAfterLoss() {
        return reconnectAfterLoss;
    }

    /** Whether USB devices may be redirected to the VM at all (default true; nothing goes unless a filter says so). */
    public boolean usbRedirection() {
        return usbRedirection;
    }

    /**
     * Devices plugged in during the session that are redirected automatically (remote-viewer's
     * usb-auto-share with its filter); empty = none are.
     */
    public Optional<UsbFilter> usbAutoConnectFilter() {
        return Optional.ofNullable(usbAutoConnectFilter);
    }

    /** Devices already plugged in that are redirected when the session connects; empty = none. */
    public Optional<UsbFilter> usbRedirectOnConnect() {
        return Optional.ofNullable(usbRedirectOnConnect);
    }

    /** X11 display for the window; empty means {@code $DISPLAY}. */
    public Optional<String> x11Display() {
        return Optional.ofNullable(x11Display);
    }

    public String title() {
        return title;
    }

    /** Host and port a plain TCP connect can probe: the TLS port when the URI names only that. */
    java.net.InetSocketAddress serverAddress() {
        java.net.URI u = java.net.URI.create(uri);
        int port = u.getPort();
        String query = u.getRawQuery();
        if (query != null) {
            int plain = -1;
            int tls = -1;
            for (String kv : query.split("&")) {
                String[] p = kv.split("=", 2);
                if (p.length == 2 && p[1].matches("\\d{1,5}")) {
                    if (p[0].equals("port")) {
                        plain = Integer.parseInt(p[1]);
                    } else if (p[0].equals("tls-port")) {
                        tls = Integer.parseInt(p[1]);
                    }
                }
            }
            port = port > 0 ? port : plain > 0 ? plain : tls;
        }
        return java.net.InetSocketAddress.createUnresolved(u.getHost(), port > 0 ? port : 5900);
    }

    /** Whether something accepts TCP connections at the server's address. */
    boolean probeServer(java.time.Duration timeout) {
        java.net.InetSocketAddress a = serverAddress();
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(a.getHostString(), a.getPort()), (int) timeout.toMillis());
            return true;
        } catch (java.io.IOException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "SpiceOptions[" + uri + (password != null ? ", password=***" : "")
                + (caFile != null ? ", caFile=" + caFile : "") + (hostSubject != null ? ", hostSubject=" + hostSubject : "")
                + (proxy != null ? ", proxy=" + proxy : "") + ", showDisplay=" + showDisplay + ", desktopAudio=" + desktopAudio + (fullscreen ? ", fullscreen" : "")
                + ", clipboard=" + clipboard + (reconnectAfterLoss ? ", reconnectAfterLoss" : "") + (usbRedirection ? "" : ", no USB")
                + (usbAutoConnectFilter != null ? ", usbAutoConnect=" + usbAutoConnectFilter : "")
                + (usbRedirectOnConnect != null ? ", usbRedirectOnConnect=" + usbRedirectOnConnect : "") + "]";
    }

    /** Builder; validates eagerly. */
    public static final class Builder {
        private final String uri;
        private String password;
        private Path caFile;
        private String hostSubject;
        private boolean showDisplay = true;
        private String x11Display;
        private String title;
        private String proxy;
        private boolean desktopAudio = true;
        private boolean fullscreen;
        private Hotkey toggleFullscreenKey = Hotkey.parse("f11");
        private Hotkey releaseCursorKey;
        private Hotkey secureAttentionKey = Hotkey.parse("ctrl+alt+end");
        private boolean clipboard = true;
        private boolean reconnectAfterLoss;
        private boolean usbRedirection = true;
        private UsbFilter usbAutoConnectFilter;
        private UsbFilter usbRedirectOnConnect;

        /** See {@link SpiceOptions#fullscreen()}. */
        public Builder fullscreen(boolean fullscreen) {
            this.fullscreen = fullscreen;
            return this;
        }

        /** See {@link SpiceOptions#toggleFullscreenKey()}. */
        public Builder toggleFullscreenKey(Hotkey key) {
            this.toggleFullscreenKey = requireKey(key, "toggleFullscreenKey");
            return this;
        }

        /** See {@link SpiceOptions#releaseCursorKey()}. */
        public Builder releaseCursorKey(Hotkey key) {
            this.releaseCursorKey = Objects.requireNonNull(key, "releaseCursorKey must not be null");
            return this;
        }

        /** See {@link SpiceOptions#secureAttentionKey()}. */
        public Builder secureAttentionKey(Hotkey key) {
            this.secureAttentionKey = requireKey(key, "secureAttentionKey");
            return this;
        }

        private static Hotkey requireKey(Hotkey key, String name) {
            if (Objects.requireNonNull(key, name + " must not be null").key() == null) {
                throw new IllegalArgumentException(name + " must name a key, not only modifiers: " + key);
            }
            return key;
        }

        /** See {@link SpiceOptions#clipboard()}. */
        public Builder clipboard(boolean clipboard) {
            this.clipboard = clipboard;
            return this;
        }

        /** See {@link SpiceOptions#reconnectAfterLoss()}. */
        public Builder reconnectAfterLoss(boolean reconnect) {
            this.reconnectAfterLoss = reconnect;
            return this;
        }

        /** See {@link SpiceOptions#usbRedirection()}. */
        public Builder usbRedirection(boolean usbRedirection) {
            this.usbRedirection = usbRedirection;
            return this;
        }

        /** See {@link SpiceOptions#usbAutoConnectFilter()}. */
        public Builder usbAutoConnectFilter(UsbFilter filter) {
            this.usbAutoConnectFilter = Objects.requireNonNull(filter, "usbAutoConnectFilter must not be null");
            return this;
        }

        /** See {@link SpiceOptions#usbRedirectOnConnect()}. */
        public Builder usbRedirectOnConnect(UsbFilter filter) {
            this.usbRedirectOnConnect = Objects.requireNonNull(filter, "usbRedirectOnConnect must not be null");
            return this;
        }

        /** See {@link SpiceOptions#desktopAudio()}. */
        public Builder desktopAudio(boolean desktopAudio) {
            this.desktopAudio = desktopAudio;
            return this;
        }

        /** See {@link SpiceOptions#proxy()}. */
        public Builder proxy(String proxyUri) {
            if (proxyUri != null && !proxyUri.matches("http://[A-Za-z0-9.\\[\\]:-]{1,255}")) {
                throw new IllegalArgumentException("proxy must be http://HOST[:PORT], got \"" + proxyUri + "\"");
            }
            proxy = proxyUri;
            return this;
        }

        private Builder(String uri) {
            Objects.requireNonNull(uri, "uri must not be null");
            String lower = uri.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("spice://") && !lower.startsWith("spice+tls://")) {
                throw new IllegalArgumentException("uri must start with spice:// or spice+tls://, was '" + uri + "'");
            }
            if (uri.length() <= lower.indexOf("://") + 3) {
                throw new IllegalArgumentException("uri must name a host, was '" + uri + "'");
            }
            this.uri = uri;
        }

        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password must not be null");
            return this;
        }

        public Builder caFile(Path caFile) {
            this.caFile = Objects.requireNonNull(caFile, "caFile must not be null");
            return this;
        }

        public Builder hostSubject(String hostSubject) {
            if (Objects.requireNonNull(hostSubject, "hostSubject must not be null").isBlank()) {
                throw new IllegalArgumentException("hostSubject must not be blank");
            }
            this.hostSubject = hostSubject;
            return this;
        }

        /** Whether to show the guest's desktop in a window (default true). */
        public Builder showDisplay(boolean showDisplay) {
            this.showDisplay = showDisplay;
            return this;
        }

        /** X11 display name such as {@code ":1"} (default {@code $DISPLAY}). */
        public Builder x11Display(String x11Display) {
            if (Objects.requireNonNull(x11Display, "x11Display must not be null").isBlank()) {
                throw new IllegalArgumentException("x11Display must not be blank");
            }
            this.x11Display = x11Display;
            return this;
        }

        public Builder title(String title) {
            this.title = Objects.requireNonNull(title, "title must not be null");
            return this;
        }

        public SpiceOptions build() {
            return new SpiceOptions(this);
        }
    }
}
