package io.vmc.stun;

import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One translation rule: requests whose source matches {@code source/prefix} and the port range are
 * answered with {@link #mappedAddress()} instead of the observed address, and with either the observed
 * source port ({@link #mappedPort()} 0, "keep") or a fixed port.
 *
 * <p>Text form, as in rule files (see the module README):
 * <pre>
 *   SOURCE -> MAPPED
 *   SOURCE = *  |  ADDRESS[/PREFIX]  |  [IPV6[/PREFIX]]   optionally followed by :PORTS
 *   PORTS  = *  |  N  |  N-M
 *   MAPPED = IPV4[:PORT]  |  IPV6  |  [IPV6][:PORT]
 * </pre>
 * Examples: {@code 10.0.0.5 -> 192.0.2.10}, {@code 10.0.0.0/24:5000-5999 -> 192.0.2.10:40000},
 * {@code [fd00::/64] -> [2001:db8::7]:3000}, {@code * -> 198.51.100.1}. Addresses are literals only:
 * a rule never triggers a DNS lookup.
 */
public final class Rule {
    private final byte[] network; // null: any address, any family
    private final int prefixLength;
    private final int ipv4Network;
    private final int ipv4Mask;
    private final int portLow;
    private final int portHigh;
    private final InetAddress mappedAddress;
    private final int mappedPort;

    private Rule(Builder b) {
        this.network = b.network;
        this.prefixLength = b.prefixLength;
        this.portLow = b.portLow;
        this.portHigh = b.portHigh;
        this.mappedAddress = b.mappedAddress;
        this.mappedPort = b.mappedPort;
        if (network != null && network.length == 4) {
            int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
            this.ipv4Mask = mask;
            this.ipv4Network = toInt(network) & mask;
        } else {
            this.ipv4Mask = 0;
            this.ipv4Network = 0;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Parses one rule in the text form above (no comment, no surrounding whitespace needed). */
    public static Rule parse(String text) {
        return RuleParser.parseRule(text, "rule", 0);
    }

    /** True if a request from {@code address:port} is translated by this rule. */
    public boolean matches(InetAddress address, int port) {
        if (port < portLow || port > portHigh) {
            return false;
        }
        if (network == null) {
            return true;
        }
        if (address instanceof Inet4Address) {
            // Inet4Address.hashCode() is the address as an int: matching without copying bytes.
            return network.length == 4 && (address.hashCode() & ipv4Mask) == ipv4Network;
        }
        if (network.length != 16) {
            return false;
        }
        byte[] a = address.getAddress();
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (a[full] & mask) == (network[full] & mask);
    }

    public boolean matches(InetSocketAddress source) {
        return matches(source.getAddress(), source.getPort());
    }

    /** The address the rule advertises for a request from {@code source} (assumed to match). */
    public InetSocketAddress map(InetSocketAddress source) {
        return new InetSocketAddress(mappedAddress, mappedPort == 0 ? source.getPort() : mappedPort);
    }

    public InetAddress mappedAddress() {
        return mappedAddress;
    }

    /** Fixed mapped port, or 0 when the observed source port is kept. */
    public int mappedPort() {
        return mappedPort;
    }

    /** Source network address, or null when the rule matches any source address. */
    public InetAddress sourceNetwork() {
        try {
            return network == null ? null : InetAddress.getByAddress(network);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public int sourcePrefixLength() {
        return prefixLength;
    }

    public int sourcePortLow() {
        return portLow;
    }

    public int sourcePortHigh() {
        return portHigh;
    }

    /** The rule in its text form; {@link #parse} gives back an equal rule. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        boolean ports = portLow != 0 || portHigh != 65535;
        if (network == null) {
            sb.append('*');
        } else {
            String addr = NetUtil.bytesToIpAddress(network);
            String cidr = addr + "/" + prefixLength;
            sb.append(network.length == 16 && ports ? "[" + cidr + "]" : cidr);
        }
        if (ports) {
            sb.append(':').append(portLow);
            if (portHigh != portLow) {
                sb.append('-').append(portHigh);
            }
        }
        sb.append(" -> ");
        String mapped = NetUtil.toAddressString(mappedAddress);
        boolean v6 = mappedAddress.getAddress().length == 16;
        if (mappedPort != 0) {
            sb.append(v6 ? "[" + mapped + "]" : mapped).append(':').append(mappedPort);
        } else {
            sb.append(v6 ? "[" + mapped + "]" : mapped);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rule r && Arrays.equals(r.network, network) && r.prefixLength == prefixLength
                && r.portLow == portLow && r.portHigh == portHigh && r.mappedAddress.equals(mappedAddress)
                && r.mappedPort == mappedPort;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(network), prefixLength, portLow, portHigh, mappedAddress, mappedPort);
    }

    private static int toInt(byte[] b) {
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    /** Builds a rule; validates eagerly. Defaults: any source address, any port, keep the observed port. */
    public static final class Builder {
        private byte[] network;
        private int prefixLength;
        private int portLow = 0;
        private int portHigh = 65535;
        private InetAddress mappedAddress;
        private int mappedPort;

        private Builder() {
        }

        /** Matches {@code address/prefixLength}; the host bits of {@code address} are cleared. */
        public Builder source(InetAddress address, int prefixLength) {
            Objects.requireNonNull(address, "source address must not be null");
            byte[] bytes = address.getAddress();
            int max = bytes.length * 8;
            if (prefixLength < 0 || prefixLength > max) {
                throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0.." + max);
            }
            for (int bit = prefixLength; bit < max; bit++) {
                bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            }
            this.network = bytes;
            this.prefixLength = prefixLength;
            return this;
        }

        /** Matches exactly this address (a /32 or /128). */
        public Builder source(InetAddress address) {
            return source(address, address.getAddress().length * 8);
        }

        public Builder anySource() {
            this.network = null;
            this.prefixLength = 0;
            return this;
        }

        public Builder sourcePorts(int low, int high) {
            if (low < 0 || high > 65535 || low > high) {
                throw new IllegalArgumentException("source port range " + low + "-" + high + " is not within 0-65535");
            }
            this.portLow = low;
            this.portHigh = high;
            return this;
        }

        public Builder mapTo(InetAddress address) {
            Objects.requireNonNull(address, "mapped address must not be null");
            if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
                throw new IllegalArgumentException("mapped address " + NetUtil.toAddressString(address)
                        + " must be a unicast address, not wildcard or multicast");
            }
            this.mappedAddress = address;
            return this;
        }

        /** Fixed port to advertise; 0 keeps the request's observed source port (the default). */
        public Builder mapToPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("mapped port " + port + " is outside 0-65535 (0 keeps the observed port)");
            }
            this.mappedPort = port;
            return this;
        }

        public Builder mapTo(InetSocketAddress address) {
            return mapTo(address.getAddress()).mapToPort(address.getPort());
        }

        public Rule build() {
            if (mappedAddress == null) {
                throw new IllegalArgumentException("mapped address must be set");
            }
            return new Rule(this);
        }
    }
}
