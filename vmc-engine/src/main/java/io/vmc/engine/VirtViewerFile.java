package io.vmc.engine;

import io.vmc.engine.internal.KeyValueFile;
import io.vmc.port.spice.Hotkey;
import io.vmc.port.spice.UsbFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A virt-viewer connection file ({@code .vv}, MIME type {@code application/x-virt-viewer}), as
 * Proxmox VE, oVirt/RHV and virt-manager hand them out: GLib key-file syntax, the settings in the
 * group {@code [virt-viewer]}. Read strictly, with limits: at most {@link #MAX_FILE_BYTES}, lines
 * of at most {@link #MAX_LINE_BYTES} (a CA certificate is one line), UTF-8 without control
 * characters. Keys VMC does not act on are listed by {@link #ignored()}, never silently dropped.
 * The password is kept in memory only: {@link #toString()} leaves it out.
 */
final class VirtViewerFile {
    /** Largest file accepted (real ones are 1 to 8 KiB, a CA certificate included). */
    static final int MAX_FILE_BYTES = 64 * 1024;
    /** Longest line, in bytes. */
    static final int MAX_LINE_BYTES = 16 * 1024;

    /** Keys VMC honours. */
    static final List<String> HONOURED = List.of("type", "host", "port", "tls-port", "password", "ca", "host-subject", "proxy",
            "title", "delete-this-file", "fullscreen", "toggle-fullscreen", "release-cursor", "secure-attention", "usb-filter",
            "enable-usb-autoshare", "usb-auto-share", "enable-usbredir");

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\[\\]-]{1,255}"); // Proxmox: pvespiceproxy:...:node::ticket
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    final String host;
    final Integer port;
    final Integer tlsPort;
    final String password;
    final String ca;
    final String hostSubject;
    final String proxy;
    final String title;
    final boolean deleteThisFile;
    final boolean fullscreen;
    final Hotkey toggleFullscreen;
    final Hotkey releaseCursor;
    final Hotkey secureAttention;
    /** The devices {@code usb-auto-share} redirects when plugged in; null = the file does not set it. */
    final UsbFilter usbFilter;
    final boolean usbAutoShare;
    /** {@code enable-usbredir=0}: no USB redirection at all. */
    final boolean usbRedirection;
    final List<String> ignored;

    private VirtViewerFile(Map<String, String> v, List<String> ignored, String source) {
        String type = v.get("type");
        if (type == null) throw error(source, "no type (expected type=spice)");
        if (!type.equals("spice")) throw error(source, "type " + KeyValueFile.abbreviate(type) + " is not supported (VMC opens SPICE sessions only)");
        host = v.get("host");
        if (host == null || host.isEmpty()) throw error(source, "no host");
        if (!HOST.matcher(host).matches()) throw error(source, "host: not a host name or address: \"" + KeyValueFile.abbreviate(host) + "\"");
        port = port(source, "port", v.get("port"));
        tlsPort = port(source, "tls-port", v.get("tls-port"));
        if (port == null && tlsPort == null) throw error(source, "neither port nor tls-port");
        password = v.get("password");
        String caText = v.get("ca");
        ca = caText == null ? null : caText.replace("\\n", "\n");
        if (ca != null && !ca.contains("-----BEGIN CERTIFICATE-----")) throw error(source, "ca: not a PEM certificate");
        hostSubject = v.get("host-subject");
        proxy = v.get("proxy");
        if (proxy != null && !proxy.matches("http://[A-Za-z0-9.\\[\\]:-]{1,255}")) {
            throw error(source, "proxy: expected http://HOST[:PORT], got \"" + KeyValueFile.abbreviate(proxy) + "\"");
        }
        title = v.get("title");
        deleteThisFile = flag(source, "delete-this-file", v.get("delete-this-file"));
        fullscreen = flag(source, "fullscreen", v.get("fullscreen"));
        toggleFullscreen = hotkey(source, "toggle-fullscreen", v.get("toggle-fullscreen"), true);
        releaseCursor = hotkey(source, "release-cursor", v.get("release-cursor"), false);
        secureAttention = hotkey(source, "secure-attention", v.get("secure-attention"), true);
        usbFilter = usbFilter(source, v.get("usb-filter"));
        // virt-viewer's key is enable-usb-autoshare; usb-auto-share is read as the same
        usbAutoShare = flag(source, "enable-usb-autoshare", v.get("enable-usb-autoshare"))
                || flag(source, "usb-auto-share", v.get("usb-auto-share"));
        usbRedirection = v.get("enable-usbredir") == null || flag(source, "enable-usbredir", v.get("enable-usbredir"));
        this.ignored = List.copyOf(ignored);
    }

    /** Reads a file, never more than {@link #MAX_FILE_BYTES} + 1 bytes of it. */
    static VirtViewerFile read(Path file) throws IOException {
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        return parse(file.toString(), b);
    }

    /** @throws IllegalArgumentException "connection file SOURCE: what is wrong" */
    static VirtViewerFile parse(String source, byte[] content) {
        if (content.length > MAX_FILE_BYTES) throw error(source, "larger than the allowed maximum (" + MAX_FILE_BYTES + " bytes)");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw error(source, "not a text file (not valid UTF-8)");
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        String group = null;
        boolean sawGroup = false;
        int lineNo = 0;
        for (String raw : text.split("\n", -1)) {
            lineNo++;
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.getBytes(StandardCharsets.UTF_8).length > MAX_LINE_BYTES) {
                throw error(source, "line " + lineNo + " is longer than the allowed maximum (" + MAX_LINE_BYTES + " bytes)");
            }
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) throw error(source, String.format("line %d: control character U+%04X", lineNo, (int) c));
            }
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) throw error(source, "line " + lineNo + ": expected [GROUP]");
                group = line.substring(1, line.length() - 1);
                if (group.equals("virt-viewer")) sawGroup = true;
                else ignored.add("[" + KeyValueFile.abbreviate(group) + "]");
                continue;
            }
            int eq = line.indexOf('=');
            if (group == null) throw error(source, "line " + lineNo + ": a setting before any [group] (not a virt-viewer file)");
            if (eq < 0) throw error(source, "line " + lineNo + ": expected key=value");
            String key = line.substring(0, eq).strip();
            if (!KEY.matcher(key).matches()) throw error(source, "line " + lineNo + ": bad key \"" + KeyValueFile.abbreviate(key) + "\"");
            if (!group.equals("virt-viewer")) continue;
            values.put(key, line.substring(eq + 1).strip()); // a repeated key: the last one, as GLib does
        }
        if (!sawGroup) throw error(source, "no [virt-viewer] group (not a virt-viewer connection file)");
        for (String k : values.keySet()) {
            if (!HONOURED.contains(k)) ignored.add(k);
        }
        return new VirtViewerFile(values, ignored, source);
    }

    private static Integer port(String source, String key, String v) {
        if (v == null || v.equals("-1")) return null; // virt-viewer writes -1 for "none"
        if (!v.matches("[0-9]{1,5}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > 65535) {
            throw error(source, key + ": expected a port 1..65535, got \"" + KeyValueFile.abbreviate(v) + "\"");
        }
        return Integer.parseInt(v);
    }

    private static Hotkey hotkey(String source, String key, String v, boolean needsKey) {
        if (v == null || v.isEmpty()) return null;
        try {
            Hotkey k = Hotkey.parse(v);
            if (needsKey && k.key() == null) throw new IllegalArgumentException("names only modifiers");
            return k;
        } catch (IllegalArgumentException e) {
            throw error(source, key + ": " + e.getMessage());
        }
    }

    private static UsbFilter usbFilter(String source, String v) {
        if (v == null) return null;
        try {
            return UsbFilter.parse(v);
        } catch (IllegalArgumentException e) {
            throw error(source, "usb-filter: " + e.getMessage());
        }
    }

    private static boolean flag(String source, String key, String v) {
        if (v == null) return false;
        return switch (v) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw error(source, key + ": expected 0 or 1, got \"" + KeyValueFile.abbreviate(v) + "\"");
        };
    }

    private static IllegalArgumentException error(String source, String message) {
        return new IllegalArgumentException("connection file " + source + ": " + message);
    }

    /**
     * The spice-gtk URI: {@code spice://HOST?port=P&tls-port=T} (spice-gtk's form for both ports),
     * or one of them alone.
     */
    String uri() {
        String h = host.contains(":") && !host.startsWith("[") && !host.startsWith("pvespiceproxy:") ? "[" + host + "]" : host;
        if (port != null && tlsPort != null) return "spice://" + h + "?port=" + port + "&tls-port=" + tlsPort;
        return tlsPort != null ? "spice://" + h + "?tls-port=" + tlsPort : "spice://" + h + "?port=" + port;
    }

    /** Settings VMC does not act on (keys, and groups other than [virt-viewer]), for the user to see. */
    List<String> ignored() { return ignored; }

    Optional<String> password() { return Optional.ofNullable(password); }

    @Override
    public String toString() {
        return "virt-viewer file " + uri() + (password != null ? " (password set)" : "") + (proxy != null ? " via " + proxy : "");
    }
}
