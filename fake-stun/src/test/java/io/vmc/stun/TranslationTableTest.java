package io.vmc.stun;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.Closeable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(30)
class TranslationTableTest {
    final TranslationTable table = new TranslationTable();
    final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();

    static InetSocketAddress sa(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Test
    void unmatchedSourcesKeepTheirObservedAddress() throws Exception {
        assertThat(table.translate(sa("10.0.0.5", 7))).isEqualTo(sa("10.0.0.5", 7));
    }

    @Test
    void dynamicRulesComeBeforeFileRulesAndGroupsReplaceIndependently() throws Exception {
        table.setFileRules(List.of(Rule.parse("10.0.0.0/8 -> 192.0.2.1")));
        table.setDynamicRules("agentd:alice", List.of(Rule.parse("10.0.0.5 -> 198.51.100.5")));
        table.setDynamicRules("agentd:bob", List.of(Rule.parse("10.0.0.6 -> 198.51.100.6")));
        assertThat(table.translate(sa("10.0.0.5", 7))).isEqualTo(sa("198.51.100.5", 7));
        assertThat(table.translate(sa("10.0.0.6", 7))).isEqualTo(sa("198.51.100.6", 7));
        assertThat(table.translate(sa("10.0.0.7", 7))).isEqualTo(sa("192.0.2.1", 7));
        long v = table.version();
        table.setDynamicRules("agentd:alice", List.of());
        assertThat(table.version()).isGreaterThan(v);
        assertThat(table.translate(sa("10.0.0.5", 7))).isEqualTo(sa("192.0.2.1", 7));
        assertThat(table.dynamicSources()).containsExactly("agentd:bob");
        table.removeDynamicRules("agentd:bob");
        table.removeDynamicRules("nobody");
        assertThat(table.rules()).containsExactly(Rule.parse("10.0.0.0/8 -> 192.0.2.1"));
    }

    @Test
    void limitsOnDynamicRules() {
        List<Rule> many = java.util.Collections.nCopies(TranslationTable.MAX_DYNAMIC_RULES_PER_SOURCE + 1,
                Rule.parse("* -> 192.0.2.1"));
        assertThatThrownBy(() -> table.setDynamicRules("x", many)).hasMessageContaining("257 exceed the allowed maximum (256)");
    }

    @Test
    void ruleFileParsingSkipsCommentsAndNamesTheBadLine() {
        String text = "# VMC rules\n\n10.0.0.5 -> 192.0.2.10   # alice\r\n  * -> 198.51.100.1\n";
        assertThat(TranslationTable.parseRules(text, "rules.txt")).hasSize(2);
        assertThatThrownBy(() -> TranslationTable.parseRules("10.0.0.5 -> 192.0.2.10\n10.0.0.6 -> nowhere\n", "rules.txt"))
                .isInstanceOf(RuleSyntaxException.class).hasMessageStartingWith("rules.txt:2: ");
    }

    @Test
    void watchedFileIsReloadedOnChangeAndBadVersionsAreRejected(@TempDir Path dir) throws Exception {
        // The rejection is logged at ERROR with file and line: capture it instead of printing it.
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(RuleFileWatcher.class);
        logged.start();
        logger.addAppender(logged);
        logger.setAdditive(false);
        try {
            watchAndChange(dir);
        } finally {
            logger.detachAppender(logged);
            logger.setAdditive(true);
        }
        assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("rule file rejected, previous rules stay in effect").contains("rules.conf:1:").contains("garbage"));
    }

    private void watchAndChange(Path dir) throws Exception {
        Path file = dir.resolve("rules.conf");
        Files.writeString(file, "10.0.0.5 -> 192.0.2.10\n");
        try (Closeable w = table.watchFile(file)) {
            assertThat(table.translate(sa("10.0.0.5", 9))).isEqualTo(sa("192.0.2.10", 9));
            table.setDynamicRules("agentd", List.of(Rule.parse("10.0.0.9 -> 192.0.2.99")));

            Files.writeString(file, "10.0.0.5 -> 192.0.2.11\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> table.translate(sa("10.0.0.5", 9)).equals(sa("192.0.2.11", 9)));

            long v = table.version();
            Files.writeString(file, "10.0.0.5 -> garbage\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> logged.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("rule file rejected")));
            assertThat(table.translate(sa("10.0.0.5", 9))).as("bad version rejected").isEqualTo(sa("192.0.2.11", 9));
            // An editor that saves by rename: a bad file, then a good one.
            Path tmp = dir.resolve("rules.conf.tmp");
            Files.writeString(tmp, "10.0.0.5 -> 192.0.2.12\n10.0.0.6 -> 192.0.2.13:7\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(10)).until(() -> table.translate(sa("10.0.0.6", 9)).equals(sa("192.0.2.13", 7)));
            assertThat(table.version()).isGreaterThan(v);
            assertThat(table.translate(sa("10.0.0.9", 9))).as("dynamic rules untouched").isEqualTo(sa("192.0.2.99", 9));

            // Deleted and created again (rm; then a new file): the new version is picked up.
            Files.delete(file);
            Files.writeString(file, "10.0.0.5 -> 192.0.2.14\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> table.translate(sa("10.0.0.5", 9)).equals(sa("192.0.2.14", 9)));
            assertThat(table.rules()).hasSize(2);
        }
    }

    @Test
    void badFileAtStartIsReported(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.conf");
        Files.writeString(file, "# ok\n10.0.0.5 -> 192.0.2.300\n");
        assertThatThrownBy(() -> table.watchFile(file)).isInstanceOf(RuleSyntaxException.class).hasMessageContaining("rules.conf:2:");
        assertThatThrownBy(() -> table.watchFile(dir.resolve("missing"))).isInstanceOf(java.io.IOException.class);
    }
}
