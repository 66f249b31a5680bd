package io.vmc.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The launcher's logging set up in code (no logback.xml, no XML parser in a thin client's engine):
 * the same levels and console output the XML gave, found by logback through its service file.
 */
class LogConfiguratorTest {
    @Test
    void quietByDefaultOnStderr() {
        LoggerContext context = new LoggerContext();
        LogConfigurator.quiet(context);
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.vmc").getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("jainsip").getLevel()).isEqualTo(Level.ERROR);
        assertThat(context.getLogger("org.ice4j").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(root.getAppender("STDERR")).isInstanceOfSatisfying(ConsoleAppender.class,
                a -> assertThat(a.getTarget()).isEqualTo("System.err"));
    }

    @Test
    void aTestConfigurationOnTheClassPathWins() {
        // this module's tests have logback-test.xml
        assertThat(new LogConfigurator().configure(new LoggerContext())).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
    }

    @Test
    void logbackFindsIt() throws IOException {
        try (InputStream in = LogConfigurator.class.getResourceAsStream(
                "/META-INF/services/ch.qos.logback.classic.spi.Configurator")) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()).isEqualTo(LogConfigurator.class.getName());
        }
    }
}
