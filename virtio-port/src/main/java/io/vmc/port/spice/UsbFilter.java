package io.vmc.port.spice;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A USB redirection filter in usbredir's (and remote-viewer's) syntax: rules separated by
 * {@code |}, each {@code class,vendor,product,version,allow}, where {@code -1} matches anything,
 * numbers are decimal or {@code 0x} hex, and {@code allow} is 1 (redirect) or 0 (keep on the
 * client). The first matching rule decides; no match keeps the device here. Example: remote-viewer's
 * default {@code 0x03,-1,-1,-1,0|-1,-1,-1,-1,1} redirects everything but keyboards and mice (class 3).
 *
 * <p>Parsed here, with limits, so that a bad filter from a user or a {@code .vv} file gets a clear
 * message instead of spice-gtk's silent refusal.
 */
public final class UsbFilter {
    /** Longest filter string accepted. */
    public static final int MAX_CHARS = 4096;
    /** Most rules in one filter. */
    public static final int MAX_RULES = 64;

    /** One rule; {@code -1} = any. */
    public record Rule(int deviceClass, int vendor, int product, int version, boolean allow) {
        @Override
        public String toString() {
            return hex(deviceClass, 2) + "," + hex(vendor, 4) + "," + hex(product, 4) + "," + hex(version, 4) + "," + (allow ? 1 : 0);
        }

        private static String hex(int v, int digits) {
            return v < 0 ? "-1" : String.format("0x%0" + digits + "x", v);
        }
    }

    private final List<Rule> rules;

    private UsbFilter(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** A filter that redirects exactly this device (vendor and product id). */
    public static UsbFilter device(int vendor, int product) {
        return new UsbFilter(List.of(new Rule(-1, check("vendor", vendor, 0xffff), check("product", product, 0xffff), -1, true)));
    }

    /**
     * Parses {@code VID:PID} in hex as lsusb prints it ({@code 046d:c52b}).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static UsbFilter parseDevice(String vidPid) {
        Objects.requireNonNull(vidPid, "device must not be null");
        if (!vidPid.matches("[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}")) {
            throw new IllegalArgumentException("USB device must be VID:PID in hex as lsusb prints it (e.g. 046d:c52b), got \""
                    + shorten(vidPid) + "\"");
        }
        return device(Integer.parseInt(vidPid.substring(0, 4), 16), Integer.parseInt(vidPid.substring(5), 16));
    }

    /**
     * Parses a filter string.
     *
     * @throws IllegalArgumentException "USB filter rule N: what is wrong"
     */
    public static UsbFilter parse(String filter) {
        Objects.requireNonNull(filter, "filter must not be null");
        if (filter.length() > MAX_CHARS) {
            throw new IllegalArgumentException("USB filter is " + filter.length() + " characters, more than the allowed maximum (" + MAX_CHARS + ")");
        }
        String s = filter.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("USB filter is empty");
        }
        String[] parts = s.split("\\|", -1);
        if (parts.length > MAX_RULES) {
            throw new IllegalArgumentException("USB filter has " + parts.length + " rules, more than the allowed maximum (" + MAX_RULES + ")");
        }
        List<Rule> rules = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            String where = "USB filter rule " + (i + 1) + " (\"" + shorten(parts[i]) + "\")";
            String[] f = parts[i].split(",", -1);
            if (f.length != 5) {
                throw new IllegalArgumentException(where + ": expected class,vendor,product,version,allow (5 fields), got " + f.length);
            }
            int allow = number(where, "allow", f[4], 1);
            if (allow < 0) {
                throw new IllegalArgumentException(where + ": allow must be 0 or 1, not -1");
            }
            rules.add(new Rule(number(where, "class", f[0], 0xff), number(where, "vendor", f[1], 0xffff),
                    number(where, "product", f[2], 0xffff), number(where, "version", f[3], 0xffff), allow == 1));
        }
        return new UsbFilter(rules);
    }

    /** Both filters' rules, this one's first (its rules win). */
    public UsbFilter then(UsbFilter other) {
        List<Rule> all = new ArrayList<>(rules);
        all.addAll(other.rules);
        if (all.size() > MAX_RULES) {
            throw new IllegalArgumentException("USB filters have " + all.size() + " rules together, more than the allowed maximum (" + MAX_RULES + ")");
        }
        return new UsbFilter(all);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** Whether a device with these ids would be redirected (the first matching rule decides). */
    public boolean allows(int deviceClass, int vendor, int product, int version) {
        for (Rule r : rules) {
            if ((r.deviceClass < 0 || r.deviceClass == deviceClass) && (r.vendor < 0 || r.vendor == vendor)
                    && (r.product < 0 || r.product == product) && (r.version < 0 || r.version == version)) {
                return r.allow;
            }
        }
        return false;
    }

    /** The filter in usbredir's syntax, as spice-gtk takes it. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Rule r : rules) {
            if (b.length() > 0) b.append('|');
            b.append(r);
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UsbFilter f && f.rules.equals(rules);
    }

    @Override
    public int hashCode() {
        return rules.hashCode();
    }

    private static int number(String where, String field, String text, int max) {
        String t = text.strip();
        if (t.equals("-1")) {
            return -1;
        }
        int v;
        try {
            if (t.matches("0[xX][0-9A-Fa-f]{1,8}")) {
                v = Integer.parseInt(t.substring(2), 16);
            } else if (t.matches("[0-9]{1,10}")) {
                v = Integer.parseInt(t);
            } else {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + field + " must be -1, a decimal or a 0x hex number, got \"" + shorten(t) + "\"");
        }
        return check(where + ": " + field, v, max);
    }

    private static int check(String what, int v, int max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(what + " " + v + " is outside 0.." + max);
        }
        return v;
    }

    private static String shorten(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
