package io.vmc.it.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.it.doctor.Setup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packages' Depends and Recommends lines against the one package list
 * ({@code packages/debian.txt}): a package needs what its role requires and recommends what the
 * role's optional features need, so a new need in the list cannot be forgotten in a package.
 */
@Timeout(30)
class DebianControlTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theClientPackageDependsOnWhatTheClientRoleNeeds() throws IOException {
        assertMatchesRole("vmc-client", "client");
    }

    @Test
    void theGuestPackageDependsOnWhatTheGuestRoleNeedsAndRecommendsFallbackMedia() throws IOException {
        assertMatchesRole("vmc-agentd", "guest");
    }

    private static void assertMatchesRole(String pkg, String role) throws IOException {
        List<Setup.Need> list = Setup.read(ROOT.resolve("packages/debian.txt"));
        Set<String> required = packages(Setup.select(list, role, Set.of(), Setup.Level.REQUIRED));
        Set<String> optional = packages(Setup.select(list, role, Set.of(), Setup.Level.OPTIONAL));
        optional.removeAll(required);
        List<String> control = Files.readAllLines(ROOT.resolve("integration/src/deb/" + pkg + "/control/control"));
        assertThat(field(control, "Package")).containsExactly(pkg);
        assertThat(field(control, "Depends")).as(pkg + " Depends").containsExactlyInAnyOrderElementsOf(required);
        assertThat(field(control, "Recommends")).as(pkg + " Recommends").containsExactlyInAnyOrderElementsOf(optional);
    }

    private static Set<String> packages(List<Setup.Need> needs) {
        return needs.stream().map(Setup.Need::debianPackage).collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<String> field(List<String> control, String name) {
        return control.stream().filter(l -> l.startsWith(name + ":"))
                .flatMap(l -> Arrays.stream(l.substring(name.length() + 1).split(",")))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
