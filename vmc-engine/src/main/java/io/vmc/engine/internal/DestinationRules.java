package io.vmc.engine.internal;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.EngineConfig.LocalDestination;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which addresses the thin client may send media (or ICE checks) to at all, whatever the guest
 * asks: the admin's networks, and never loopback, link-local or the client's own addresses unless
 * the policy allows them (architecture 6a). Pure: the client's own addresses are passed in.
 */
public final class DestinationRules {
    private static final Cidr THIS_NETWORK = Cidr.parse("0.0.0.0/8"); // Linux delivers 0.x to the host itself
    private final List<Cidr> allowedNetworks;
    private final Set<LocalDestination> allowedLocal;

    /** @param allowedNetworks empty = every network */
    public DestinationRules(List<Cidr> allowedNetworks, Set<LocalDestination> allowedLocal) {
        this.allowedNetworks = List.copyOf(allowedNetworks);
        this.allowedLocal = Set.copyOf(allowedLocal);
    }

    public static DestinationRules of(EngineConfig c) {
        return new DestinationRules(c.allowedNetworks().stream().map(Cidr::parse).toList(), c.allowedLocalDestinations());
    }

    /**
     * Why {@code a} may not be a destination, as a sentence for the app and the log, or empty if it may.
     *
     * @param own the thin client's interface addresses now
     */
    public Optional<String> refusal(InetAddress a, Collection<InetAddress> own) {
        String h = a.getHostAddress();
        if (a.isAnyLocalAddress() || a.isMulticastAddress() || (a instanceof Inet4Address && (THIS_NETWORK.contains(a) || isBroadcast(a)))) {
            return Optional.of(h + " cannot receive media (unspecified, multicast or broadcast address)");
        }
        LocalDestination kind = a.isLoopbackAddress() ? LocalDestination.LOOPBACK
                : a.isLinkLocalAddress() ? LocalDestination.LINK_LOCAL
                : own.contains(a) ? LocalDestination.OWN_ADDRESSES : null;
        if (kind != null && !allowedLocal.contains(kind)) {
            String what = switch (kind) {
                case LOOPBACK -> "a loopback address";
                case LINK_LOCAL -> "a link-local address";
                case OWN_ADDRESSES -> "an address of the thin client itself";
            };
            return Optional.of(h + " is " + what + ", refused by the client policy (allowed with media.allow-local = "
                    + kind.policyName() + ")");
        }
        if (!allowedNetworks.isEmpty() && allowedNetworks.stream().noneMatch(n -> n.contains(a))) {
            return Optional.of(h + " is outside the client policy's media.allowed-networks " + allowedNetworks);
        }
        return Optional.empty();
    }

    private static boolean isBroadcast(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & b[1] & b[2] & b[3]) == (byte) 0xff;
    }
}
