package io.vmc.port.spice;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A key combination in virt-viewer's hotkey syntax, as {@code .vv} files give them
 * ({@code toggle-fullscreen=shift+f11}, {@code release-cursor=ctrl+alt}): modifiers
 * {@code ctrl}, {@code alt}, {@code shift}, {@code super}, and at most one key named as GDK names
 * keys ({@code f11}, {@code end}, {@code a}). Case does not matter.
 */
public final class Hotkey {
    /** Longest hotkey text accepted. */
    public static final int MAX_CHARS = 64;

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_]{1,24}");

    private final boolean ctrl;
    private final boolean alt;
    private final boolean shift;
    private final boolean superKey;
    private final String key;

    private Hotkey(boolean ctrl, boolean alt, boolean shift, boolean superKey, String key) {
        this.ctrl = ctrl;
        this.alt = alt;
        this.shift = shift;
        this.superKey = superKey;
        this.key = key;
    }

    /** @throws IllegalArgumentException naming what is wrong */
    public static Hotkey parse(String text) {
        Objects.requireNonNull(text, "hotkey must not be null");
        if (text.length() > MAX_CHARS) {
            throw new IllegalArgumentException("hotkey is longer than the allowed maximum (" + MAX_CHARS + " characters)");
        }
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("hotkey is empty");
        }
        boolean c = false;
        boolean a = false;
        boolean s = false;
        boolean w = false;
        String key = null;
        for (String part : t.split("\\+", -1)) {
            String p = part.strip().toLowerCase(Locale.ROOT);
            switch (p) {
                case "ctrl", "control" -> c = true;
                case "alt" -> a = true;
                case "shift" -> s = true;
                case "super", "win", "meta" -> w = true;
                default -> {
                    if (!KEY.matcher(part.strip()).matches()) {
                        throw new IllegalArgumentException("hotkey \"" + printable(t) + "\": \"" + printable(part) + "\" is not a key name");
                    }
                    if (key != null) {
                        throw new IllegalArgumentException("hotkey \"" + printable(t) + "\" names two keys (" + key + ", " + part.strip() + ")");
                    }
                    key = part.strip();
                }
            }
        }
        if (key == null && !(c || a || s || w)) {
            throw new IllegalArgumentException("hotkey \"" + printable(t) + "\" names no key");
        }
        return new Hotkey(c, a, s, w, key);
    }

    public boolean ctrl() { return ctrl; }

    public boolean alt() { return alt; }

    public boolean shift() { return shift; }

    public boolean superKey() { return superKey; }

    /** The key's name, or null for modifiers only (release-cursor's {@code ctrl+alt}). */
    public String key() { return key; }

    /**
     * In spice-gtk's grab-sequence syntax ({@code Control_L+Alt_L+F12}), for the release-cursor key.
     */
    String grabSequence() {
        StringBuilder b = new StringBuilder();
        if (ctrl) b.append("Control_L+");
        if (alt) b.append("Alt_L+");
        if (shift) b.append("Shift_L+");
        if (superKey) b.append("Super_L+");
        if (key != null) b.append(gdkName());
        else b.setLength(b.length() - 1);
        return b.toString();
    }

    /** Short names hotkeys use for keys GDK spells out. */
    private static final java.util.Map<String, String> ALIASES = java.util.Map.of("ins", "Insert", "del", "Delete",
            "esc", "Escape", "pgup", "Page_Up", "pgdn", "Page_Down", "enter", "Return");

    /**
     * The key's GDK name ({@code gdk_keyval_from_name} is case-sensitive): function keys upper case
     * ({@code F11}), single characters as given, others capitalised ({@code end} -> {@code End}).
     */
    String gdkName() {
        if (key == null || key.length() == 1) return key;
        String lower = key.toLowerCase(Locale.ROOT);
        if (ALIASES.containsKey(lower)) return ALIASES.get(lower);
        if (lower.matches("f[0-9]{1,2}")) return key.toUpperCase(Locale.ROOT);
        return Character.toUpperCase(key.charAt(0)) + key.substring(1);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (ctrl) b.append("ctrl+");
        if (alt) b.append("alt+");
        if (shift) b.append("shift+");
        if (superKey) b.append("super+");
        if (key != null) b.append(key.toLowerCase(Locale.ROOT));
        else b.setLength(b.length() - 1);
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hotkey h && h.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
