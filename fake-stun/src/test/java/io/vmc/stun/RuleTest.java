package io.vmc.stun;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class RuleTest {
    static InetSocketAddress sa(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Test
    void singleAddressKeepsObservedPort() throws Exception {
        Rule r = Rule.parse("10.0.0.5 -> 192.0.2.10");
        assertThat(r.matches(sa("10.0.0.5", 1))).isTrue();
        assertThat(r.matches(sa("10.0.0.6", 1))).isFalse();
        assertThat(r.matches(sa("::1", 1))).isFalse();
        assertThat(r.map(sa("10.0.0.5", 4242))).isEqualTo(sa("192.0.2.10", 4242));
        assertThat(r.toString()).isEqualTo("10.0.0.5/32 -> 192.0.2.10");
    }

    @Test
    void cidrAndPortRangeAndFixedPort() throws Exception {
        Rule r = Rule.parse("10.0.0.77/24:5000-5999 -> 192.0.2.10:40000");
        assertThat(r.matches(sa("10.0.0.200", 5000))).isTrue();
        assertThat(r.matches(sa("10.0.0.200", 5999))).isTrue();
        assertThat(r.matches(sa("10.0.0.200", 6000))).isFalse();
        assertThat(r.matches(sa("10.0.1.1", 5500))).isFalse();
        assertThat(r.map(sa("10.0.0.1", 5001))).isEqualTo(sa("192.0.2.10", 40000));
        assertThat(r.toString()).isEqualTo("10.0.0.0/24:5000-5999 -> 192.0.2.10:40000");
    }

    @Test
    void ipv6SourcesAndTargets() throws Exception {
        Rule r = Rule.parse("[fd00:1:2::/47]:5060 -> [2001:db8::7]:3000");
        assertThat(r.matches(sa("fd00:1:3::9", 5060))).isTrue();
        assertThat(r.matches(sa("fd00:1:4::9", 5060))).isFalse();
        assertThat(r.matches(sa("fd00:1:3::9", 5061))).isFalse();
        assertThat(r.matches(sa("10.0.0.1", 5060))).isFalse();
        assertThat(Rule.parse("fd00::/8 -> 2001:db8::1").map(sa("fd12::1", 9))).isEqualTo(sa("2001:db8::1", 9));
        assertThat(Rule.parse("::1 -> 192.0.2.1").matches(sa("::1", 9))).isTrue();
    }

    @Test
    void wildcardSourceMatchesBothFamilies() throws Exception {
        Rule r = Rule.parse("*:3000-3001 -> 198.51.100.1");
        assertThat(r.matches(sa("10.9.9.9", 3001))).isTrue();
        assertThat(r.matches(sa("fd00::1", 3000))).isTrue();
        assertThat(r.matches(sa("fd00::1", 3002))).isFalse();
        assertThat(Rule.parse("0.0.0.0/0 -> 198.51.100.1").matches(sa("1.2.3.4", 1))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.5 -> 192.0.2.10", "10.0.0.0/24:5000-5999 -> 192.0.2.10:40000",
            "[fd00::/64]:1 -> [2001:db8::7]:3000", "* -> 198.51.100.1", "*:7 -> [::ffff:0:102:304]", "fd00::/64 -> [2001:db8::1]"})
    void textFormRoundTrips(String text) {
        Rule r = Rule.parse(text);
        assertThat(Rule.parse(r.toString())).isEqualTo(r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.5", "-> 1.2.3.4", "10.0.0.5 ->", "host.example -> 1.2.3.4",
            "10.0.0.5 -> example.org", "10.0.0.5/33 -> 1.2.3.4", "10.0.0.5:70000 -> 1.2.3.4",
            "10.0.0.5:9-8 -> 1.2.3.4", "10.0.0.5 -> 1.2.3.4:0", "10.0.0.5 -> 0.0.0.0", "10.0.0.5 -> 224.0.0.1",
            "[fd00::/64 -> 1.2.3.4", "10.0.0.5 -> 1.2.3.4 -> 5.6.7.8", "10.0.0.5 -> 1.2.3.4:99999", "1.2.3 -> 1.2.3.4"})
    void badRulesAreRejectedWithTheText(String text) {
        assertThatThrownBy(() -> Rule.parse(text)).isInstanceOf(RuleSyntaxException.class).hasMessageContaining("rule:");
    }

    @Test
    void inet4AddressHashCodeIsTheAddressAsMatchingAssumes() throws Exception {
        assertThat(InetAddress.getByName("192.0.2.1").hashCode()).isEqualTo(0xC0000201);
    }

    @Test
    void builderValidatesEagerly() throws Exception {
        assertThatThrownBy(() -> Rule.builder().build()).hasMessageContaining("mapped address must be set");
        assertThatThrownBy(() -> Rule.builder().sourcePorts(5, 4)).hasMessageContaining("5-4");
        Rule r = Rule.builder().source(InetAddress.getByName("10.1.2.3"), 16).sourcePorts(1, 2)
                .mapTo(sa("192.0.2.1", 7)).build();
        assertThat(r.toString()).isEqualTo("10.1.0.0/16:1-2 -> 192.0.2.1:7");
    }
}
