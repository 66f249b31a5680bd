package io.vmc.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmc.engine.EngineConfig.LocalDestination;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DestinationRulesTest {
    private static final List<InetAddress> OWN = List.of(ip("192.0.2.10"), ip("2001:db8::10"));
    private static final DestinationRules DEFAULT = new DestinationRules(List.of(), Set.of());

    private static InetAddress ip(String s) {
        return io.vmc.engine.sdp.SdpParser.parseAddressLiteral(s).orElseThrow();
    }

    private static Optional<String> refusal(DestinationRules r, String a) {
        return r.refusal(ip(a), OWN);
    }

    @Test
    void byDefaultAnOrdinaryPeerIsAllowed() {
        assertThat(refusal(DEFAULT, "203.0.113.7")).isEmpty();
        assertThat(refusal(DEFAULT, "10.1.2.3")).isEmpty();
        assertThat(refusal(DEFAULT, "2001:db8:1::5")).isEmpty();
    }

    @Test
    void loopbackLinkLocalAndOwnAddressesAreRefusedByDefault() {
        assertThat(refusal(DEFAULT, "127.0.0.1")).hasValue("127.0.0.1 is a loopback address, refused by the client policy (allowed with media.allow-local = loopback)");
        assertThat(refusal(DEFAULT, "127.200.0.9")).get().asString().contains("loopback");
        assertThat(refusal(DEFAULT, "::1")).get().asString().contains("loopback");
        assertThat(refusal(DEFAULT, "::ffff:127.0.0.1")).get().asString().contains("loopback"); // IPv4-mapped
        assertThat(refusal(DEFAULT, "169.254.1.1")).get().asString().contains("link-local").contains("media.allow-local = link-local");
        assertThat(refusal(DEFAULT, "fe80::1")).get().asString().contains("link-local");
        assertThat(refusal(DEFAULT, "192.0.2.10")).get().asString().contains("thin client itself").contains("own-addresses");
        assertThat(refusal(DEFAULT, "2001:db8::10")).get().asString().contains("thin client itself");
    }

    @Test
    void addressesThatCannotReceiveAreAlwaysRefused() {
        DestinationRules all = new DestinationRules(List.of(), EnumSet.allOf(LocalDestination.class));
        for (String a : List.of("0.0.0.0", "0.1.2.3", "::", "224.0.0.1", "239.1.1.1", "ff02::1", "255.255.255.255")) {
            assertThat(refusal(all, a)).as(a).get().asString().contains("cannot receive media");
        }
    }

    @Test
    void thePolicyAllowsLocalKindsOneByOne() {
        DestinationRules loopback = new DestinationRules(List.of(), Set.of(LocalDestination.LOOPBACK));
        assertThat(refusal(loopback, "127.0.0.1")).isEmpty();
        assertThat(refusal(loopback, "169.254.1.1")).isPresent();
        assertThat(refusal(loopback, "192.0.2.10")).isPresent();
        DestinationRules own = new DestinationRules(List.of(), Set.of(LocalDestination.OWN_ADDRESSES, LocalDestination.LINK_LOCAL));
        assertThat(refusal(own, "192.0.2.10")).isEmpty();
        assertThat(refusal(own, "fe80::1")).isEmpty();
        assertThat(refusal(own, "127.0.0.1")).isPresent();
    }

    @Test
    void allowedNetworksRestrictEverythingElse() {
        DestinationRules r = new DestinationRules(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8:5::/48")), Set.of(LocalDestination.LOOPBACK));
        assertThat(refusal(r, "10.200.1.1")).isEmpty();
        assertThat(refusal(r, "2001:db8:5:1::1")).isEmpty();
        assertThat(refusal(r, "11.0.0.1")).hasValue("11.0.0.1 is outside the client policy's media.allowed-networks [10.0.0.0/8, 2001:db8:5:0:0:0:0:0/48]");
        assertThat(refusal(r, "2001:db8:6::1")).isPresent();
        // a local kind must be allowed and inside the networks
        assertThat(refusal(r, "127.0.0.1")).get().asString().contains("media.allowed-networks");
    }

    @Test
    void cidrParsesAndNormalises() {
        assertThat(Cidr.parse("10.1.2.3/8")).hasToString("10.0.0.0/8").isEqualTo(Cidr.parse(" 10.0.0.0/8 "));
        assertThat(Cidr.parse("10.1.2.3")).hasToString("10.1.2.3/32");
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("198.51.100.1"))).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("2001:db8::1"))).isFalse(); // families never mix
        assertThat(Cidr.parse("10.0.0.0/9").contains(ip("10.127.255.255"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/9").contains(ip("10.128.0.0"))).isFalse();
        assertThat(Cidr.parse("fd00::/7").contains(ip("fdff::1"))).isTrue();
    }

    @Test
    void cidrRefusesHostileText() {
        for (String bad : List.of("", "/", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8/8", "example.com/24",
                "10.0.0/8", "10.0.0.256/8", "10.0.0.0/0008", "x".repeat(10_000), "10.0.0.0/8 junk", "[::1]/128")) {
            assertThatThrownBy(() -> Cidr.parse(bad)).as(bad.length() > 40 ? "long" : bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
