package io.vmc.engine.internal;

import io.vmc.engine.sdp.SdpParser;
import java.net.InetAddress;
import java.util.Arrays;

/** An IPv4 or IPv6 network written {@code ADDRESS/PREFIX} (a bare address is a /32 or /128). Immutable. */
public final class Cidr {
    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * Parses a literal; never looks a name up.
     *
     * @throws IllegalArgumentException naming what was seen, e.g. for a prefix beyond the family's length
     */
    public static Cidr parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        InetAddress a = SdpParser.parseAddressLiteral(addr)
                .orElseThrow(() -> new IllegalArgumentException("expected ADDRESS/PREFIX with an IP literal, got \"" + abbreviate(text) + "\""));
        byte[] bytes = a.getAddress();
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > max) {
                throw new IllegalArgumentException("prefix length must be 0.." + max + " for " + addr + ", got \"" + abbreviate(p) + "\"");
            }
            prefix = Integer.parseInt(p);
        }
        for (int bit = prefix; bit < max; bit++) bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        return new Cidr(bytes, prefix);
    }

    public boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != network.length) return false;
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (b[i] != network[i]) return false;
        }
        int rest = prefix % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (b[full] & mask) == (network[full] & mask);
    }

    /**
     * The addresses in both networks, which is one of the two (networks nest or are disjoint);
     * empty when they share no address or are of different families.
     */
    public java.util.Optional<Cidr> intersection(Cidr other) {
        if (other.network.length != network.length) return java.util.Optional.empty();
        Cidr wider = prefix <= other.prefix ? this : other;
        Cidr narrower = wider == this ? other : this;
        try {
            return wider.contains(InetAddress.getByAddress(narrower.network)) ? java.util.Optional.of(narrower) : java.util.Optional.empty();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 50 ? s.substring(0, 50) + "..." : s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    /** Canonical form: host bits cleared, e.g. {@code 10.0.0.0/8}. */
    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
