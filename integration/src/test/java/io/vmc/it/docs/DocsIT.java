package io.vmc.it.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.it.lab.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The guides work when followed literally: examples validate, links resolve. */
@Timeout(120)
class DocsIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");

    @Test
    void everyLibvirtExampleValidates() throws IOException {
        List<Path> examples = files(ROOT.resolve("docs/examples"), ".xml");
        assertThat(examples).isNotEmpty();
        for (Path xml : examples) {
            assertThat(Shell.run("virt-xml-validate", xml.toString())).contains("validates");
        }
    }

    @Test
    void aBrokenChannelDefinitionFailsValidation(@TempDir Path tmp) throws IOException {
        String good = Files.readString(ROOT.resolve("docs/examples/libvirt-spiceport-domain.xml"));
        Path broken = tmp.resolve("broken.xml");
        // A typo admins make: the channel type misspelled.
        Files.writeString(broken, good.replace("<channel type='spiceport'>", "<channel type='spice-port'>"));

        IOException failure = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Shell.run("virt-xml-validate", broken.toString()));
        assertThat(failure.getMessage()).contains("fails to validate");
    }

    @Test
    void linksBetweenDocumentsResolve() throws IOException {
        List<Path> markdown = new ArrayList<>(files(ROOT.resolve("docs"), ".md"));
        markdown.add(ROOT.resolve("README.md"));
        List<String> broken = new ArrayList<>();
        for (Path md : markdown) {
            Matcher m = LINK.matcher(Files.readString(md));
            while (m.find()) {
                String target = m.group(1);
                if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("mailto:")) {
                    continue;
                }
                if (!Files.exists(md.getParent().resolve(target).normalize())) {
                    broken.add(ROOT.relativize(md) + " -> " + target);
                }
            }
        }
        assertThat(broken).as("links that point nowhere").isEmpty();
    }

    @Test
    void everyJavaSnippetInTheDeveloperGuideCompiles(@TempDir Path tmp) throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/softphone-developer-guide.md"));
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(guide);
        List<Path> sources = new ArrayList<>();
        while (block.find()) {
            String code = block.group(1);
            Matcher name = Pattern.compile("public class (\\w+)").matcher(code);
            assertThat(name.find()).as("snippet declares a public class:%n%s", code).isTrue();
            Path file = tmp.resolve(name.group(1) + ".java");
            Files.writeString(file, code);
            sources.add(file);
        }
        assertThat(sources).hasSizeGreaterThanOrEqualTo(3);

        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        java.io.StringWriter diagnostics = new java.io.StringWriter();
        // What an app links: the API artifact and its dependencies, nothing of the daemon.
        Path api = ROOT.resolve("vmc-agent/api/target");
        List<String> options = List.of("-d", tmp.resolve("classes").toString(), "-cp",
                api.resolve("classes") + ":" + Files.readString(api.resolve("app-classpath.txt")).trim());
        try (javax.tools.StandardJavaFileManager fm = javac.getStandardFileManager(null, null, null)) {
            boolean ok = javac.getTask(diagnostics, fm, null, options, null, fm.getJavaFileObjectsFromPaths(sources))
                    .call();
            assertThat(ok).as("javac:%n%s", diagnostics).isTrue();
        }
    }

    @Test
    void theClientGuidesDoctorCommandRunsAndPrintsItsPlan() throws Exception {
        // The guide tells users to run this first: a plan of what is missing; --all adds every check.
        io.vmc.it.cli.VmcCommandLine.Outcome outcome =
                io.vmc.it.cli.VmcCommandLine.run(java.util.Map.of(), "doctor", "--role", "client");
        assertThat(outcome.output()).contains("vmc doctor --role client: ").containsPattern("(Not r|R)eady for role 'client'");
        assertThat(outcome.exitCode()).isIn(0, 1);
        io.vmc.it.cli.VmcCommandLine.Outcome all =
                io.vmc.it.cli.VmcCommandLine.run(java.util.Map.of(), "doctor", "--role", "client", "--all");
        assertThat(all.output()).contains("STATUS", "gst element opusenc", "spice-client-glib");
    }

    @Test
    void theProtocolReferenceCoversEveryMessageAndEnumOfVmcProto() throws IOException {
        String proto = Files.readString(ROOT.resolve("vmc-transport/src/main/proto/vmc.proto"));
        String reference = Files.readString(ROOT.resolve("docs/protocol.md"));
        Matcher declared = Pattern.compile("(?m)^\\s*(?:message|enum) (\\w+)").matcher(proto);
        List<String> undocumented = new ArrayList<>();
        int count = 0;
        while (declared.find()) {
            count++;
            if (!reference.contains("`" + declared.group(1) + "`")) {
                undocumented.add(declared.group(1));
            }
        }
        assertThat(count).isGreaterThan(40);
        assertThat(undocumented).as("vmc.proto types missing from docs/protocol.md").isEmpty();
        for (io.vmc.transport.proto.Error.Code code : io.vmc.transport.proto.Error.Code.values()) {
            if (code != io.vmc.transport.proto.Error.Code.UNRECOGNIZED && code.getNumber() != 0) {
                assertThat(reference).as("error code %s explained", code).contains("| `" + code + "` |");
            }
        }
    }

    @Test
    void theGuideNamesTheArtifactAnAppLinksAndHowToGetIt() throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/softphone-developer-guide.md"));
        String apiPom = Files.readString(ROOT.resolve("vmc-agent/api/pom.xml"));
        Matcher artifact = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>").matcher(apiPom);
        assertThat(artifact.find()).isTrue();
        Matcher version = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(apiPom);
        assertThat(version.find()).isTrue();
        assertThat(guide).contains("<groupId>io.vmc</groupId>\n  <artifactId>" + artifact.group(1) + "</artifactId>\n  <version>"
                + version.group(1) + "</version>");
        assertThat(guide).contains("mvn -B -pl vmc-agent/api -am install -DskipTests");
    }

    @Test
    void theBuildPublishesTheApiReferenceTheDeveloperGuidePointsTo() throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/softphone-developer-guide.md"));
        assertThat(guide).contains("`vmc-agent/api/target/reports/apidocs/index.html`");
        Path apidocs = ROOT.resolve("vmc-agent/api/target/reports/apidocs");
        assertThat(apidocs.resolve("index.html")).as("built by vmc-agent's package phase").exists();
        for (String type : List.of("Vmc", "MediaSession", "MediaSessionListener", "VideoArea", "ComponentVideoArea", "ModeReason")) {
            assertThat(apidocs.resolve("io/vmc/agent/api/" + type + ".html")).exists();
        }
        assertThat(apidocs.resolve("io/vmc/agent/daemon")).as("internal packages are not published").doesNotExist();
    }

    @Test
    void theThinClientGuideSaysWhatToDoForEveryModeReason() throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/thin-client-guide.md"));
        for (io.vmc.agent.api.ModeReason reason : io.vmc.agent.api.ModeReason.values()) {
            Matcher row = Pattern.compile("\\| (OPTIMIZED|FALLBACK) \\| " + reason.name() + " \\| (.+) \\|").matcher(guide);
            assertThat(row.find()).as("a status table row for %s", reason).isTrue();
            assertThat(row.group(2).trim()).as("what to do for %s", reason).hasSizeGreaterThan(10);
        }
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
