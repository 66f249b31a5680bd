package io.vmc.engine.sdp;

import java.net.InetAddress;

/**
 * An ICE candidate (RFC 8839 section 5.1), UDP only; validated literal addresses only (mDNS names
 * and TCP candidates are refused by {@link SdpParser#parseCandidate(String)}).
 */
public record Candidate(String foundation, int component, String transport, long priority,
                        InetAddress address, int port, String type, InetAddress relatedAddress, int relatedPort) {
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(foundation).append(' ').append(component).append(' ').append(transport).append(' ')
          .append(priority).append(' ').append(address.getHostAddress()).append(' ').append(port)
          .append(" typ ").append(type);
        if (relatedAddress != null) {
            sb.append(" raddr ").append(relatedAddress.getHostAddress()).append(" rport ").append(relatedPort);
        }
        return sb.toString();
    }
}
