package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MetricsEndpointTest {
    @Test
    void forms() {
        assertThat(MetricsEndpoint.parse("9464").toString()).isEqualTo("127.0.0.1:9464");
        assertThat(MetricsEndpoint.parse("9464").isLoopback()).isTrue();
        assertThat(MetricsEndpoint.parse("0.0.0.0:9464").isLoopback()).isFalse();
        assertThat(MetricsEndpoint.parse("192.0.2.7:9464").address().getPort()).isEqualTo(9464);
        assertThat(MetricsEndpoint.parse("[::1]:9464").isLoopback()).isTrue();
        assertThat(MetricsEndpoint.parse("[::]:9464").toString()).isEqualTo("[0:0:0:0:0:0:0:0]:9464");
        assertThat(MetricsEndpoint.parse("127.0.0.1:0").address().getPort()).isZero(); // any free port
        assertThat(MetricsEndpoint.loopback(9464).toString()).isEqualTo("127.0.0.1:9464");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                     | expected ADDR:PORT, [IPV6]:PORT or PORT, got \"\"",
            "65536                  | expected a port 0..65535, got 65536",
            "127.0.0.1:65536        | expected a port 0..65535, got 65536",
            "127.0.0.1:             | expected a port 0..65535, got \"\"",
            "127.0.0.1:-1           | expected a port 0..65535, got \"-1\"",
            "127.0.0.1:９４６４       | expected a port 0..65535",
            ":9464                  | expected ADDR:PORT, [IPV6]:PORT or PORT, got \":9464\"",
            "::1:9464               | expected ADDR:PORT, [IPV6]:PORT or PORT",
            "[::1]                  | expected [IPV6]:PORT, got \"[::1]\"",
            "[::1]9464              | expected [IPV6]:PORT",
            "[::1:9464              | expected [IPV6]:PORT",
            "[localhost]:9464       | metrics address must be an IP literal, got \"localhost\"",
            "localhost:9464         | metrics address must be an IP literal, got \"localhost\"",
            "999.0.0.1:9464         | metrics address must be an IP literal",
            "127.0.0.1:9464:1       | expected ADDR:PORT, [IPV6]:PORT or PORT",
    })
    void badSpecsSayWhatIsWrong(String spec, String message) {
        assertThatThrownBy(() -> MetricsEndpoint.parse(spec)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void oversizedSpecsAreRefusedBeforeParsing() {
        assertThatThrownBy(() -> MetricsEndpoint.parse("1".repeat(10_000)))
                .hasMessage("metrics address of 10000 characters exceeds the allowed maximum (64)");
        assertThatThrownBy(() -> MetricsEndpoint.loopback(70000)).hasMessageContaining("expected a port 0..65535, got 70000");
    }
}
