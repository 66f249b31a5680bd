package io.vmc.engine.sdp;

import java.net.InetAddress;

/** A {@code c=} line ({@code IN IP4 192.0.2.1}). The address is always a validated literal, never a host name. */
public record Connection(String addressType, String address) {
    public static Connection of(InetAddress address) {
        return new Connection(address instanceof java.net.Inet6Address ? "IP6" : "IP4", address.getHostAddress());
    }

    /** The address as an {@link InetAddress}; never resolves names (the parser accepted literals only). */
    public InetAddress inetAddress() {
        return SdpParser.parseAddressLiteral(address).orElseThrow();
    }

    @Override
    public String toString() {
        return "IN " + addressType + " " + address;
    }
}
