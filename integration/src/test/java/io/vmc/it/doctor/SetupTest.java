package io.vmc.it.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SetupTest {

    private static final List<String> LIST = List.of(
            "# comment",
            "",
            "tool     tshark      tshark                      demo/netns,dev   captures the VDI side",
            "element  opusenc     gstreamer1.0-plugins-base   client,demo,dev  Opus audio",
            "element  opusdec     gstreamer1.0-plugins-base   client,demo,dev  Opus audio",
            "element  ximagesink  gstreamer1.0-x              client,demo/video,dev  draws the video",
            "file     /boot/vmlinuz-*  linux-image-amd64      dev              the guest's kernel");

    @Test
    void linesParseIntoNeedsWithTheirWhy() {
        List<Setup.Need> needs = Setup.parse(LIST, "list");

        assertThat(needs).hasSize(5);
        assertThat(needs.get(0)).isEqualTo(new Setup.Need(Setup.Kind.TOOL, "tshark", "tshark",
                List.of("demo/netns", "dev"), "captures the VDI side"));
        assertThat(needs.get(4).label()).isEqualTo("file /boot/vmlinuz-*");
        assertThat(needs.get(1).label()).isEqualTo("gst element opusenc");
    }

    @Test
    void badLinesFailWithTheirLineNumber() {
        assertThatThrownBy(() -> Setup.parse(List.of("#", "program tshark tshark dev why"), "debian.txt"))
                .hasMessageStartingWith("debian.txt:2: unknown kind 'program'");
        assertThatThrownBy(() -> Setup.parse(List.of("tool tshark tshark devs why"), "debian.txt"))
                .hasMessageStartingWith("debian.txt:1: unknown role 'devs'");
        assertThatThrownBy(() -> Setup.parse(List.of("tool tshark tshark demo/vidoe why"), "debian.txt"))
                .hasMessageContaining("unknown role 'demo/vidoe'");
        assertThatThrownBy(() -> Setup.parse(List.of("tool tshark tshark dev"), "debian.txt"))
                .hasMessageStartingWith("debian.txt:1: expected KIND NAME PACKAGE NEEDED-BY WHY");
        assertThatThrownBy(() -> Setup.parse(List.of("tool ip iproute2 dev a", "tool ip iproute2 demo b"), "debian.txt"))
                .hasMessage("debian.txt:2: tool ip is listed twice");
    }

    @Test
    void aFeatureOfTheRoleMakesANeedRequiredOnlyWhenItIsOn() {
        List<Setup.Need> needs = Setup.parse(LIST, "list");
        Setup.Need tshark = needs.get(0);
        Setup.Need ximagesink = needs.get(3);

        assertThat(tshark.level("demo", Set.of())).isEqualTo(Setup.Level.OPTIONAL);
        assertThat(tshark.level("demo", Set.of("demo/netns"))).isEqualTo(Setup.Level.REQUIRED);
        assertThat(tshark.level("dev", Set.of())).isEqualTo(Setup.Level.REQUIRED);
        assertThat(tshark.level("client", Set.of())).isEqualTo(Setup.Level.NONE);
        assertThat(ximagesink.level("demo", Set.of("demo/netns"))).isEqualTo(Setup.Level.OPTIONAL);
        assertThat(ximagesink.featuresOf("demo")).containsExactly("./vmc demo --video");
        assertThat(Setup.select(needs, "demo", Set.of(), Setup.Level.REQUIRED)).extracting(Setup.Need::name)
                .containsExactly("opusenc", "opusdec");
    }

    @Test
    void thePlanHasOneLinePerPackageAndOneAptGetLine() {
        List<Setup.Need> needs = Setup.parse(LIST, "list");
        Setup.Plan plan = new Setup.Plan(needs.subList(0, 4));

        assertThat(plan.countText()).isEqualTo("3 Debian packages");
        assertThat(plan.lines(null)).containsExactly(
                "  gstreamer1.0-plugins-base  for gst elements opusenc, opusdec: Opus audio",
                "  gstreamer1.0-x             for gst element ximagesink: draws the video",
                "  tshark                     for tool tshark: captures the VDI side");
        assertThat(plan.lines("demo").get(1)).endsWith("draws the video (only for ./vmc demo --video)");
        // "apt-get update && " comes first only where apt has no package lists yet (a fresh image).
        assertThat(plan.aptGetLine(true)).endsWith(
                "apt-get install -y --no-install-recommends gstreamer1.0-plugins-base gstreamer1.0-x tshark")
                .doesNotContain("sudo");
        assertThat(plan.aptGetLine(false)).startsWith("sudo apt-get ").endsWith(
                "sudo apt-get install -y --no-install-recommends gstreamer1.0-plugins-base gstreamer1.0-x tshark");
    }

    @Test
    void longListsOfNamesAreShortened() {
        List<String> lines = List.of(
                "element a p dev x", "element b p dev x", "element c p dev x",
                "element d p dev x", "element e p dev x", "element f p dev y");
        Setup.Plan plan = new Setup.Plan(Setup.parse(lines, "list"));

        assertThat(plan.lines(null)).containsExactly("  p  for gst elements a, b, c, d and 2 more: x; y");
    }

    @Test
    void theDemoWithLoopbackAndVideoNeedsNoNamespacesButTheVideoParts() {
        Setup.Command demo = Setup.command("demo", List.of("--duration", "5", "--loopback", "--video", "--no-install"));

        assertThat(demo.role()).isEqualTo("demo");
        assertThat(demo.noInstall()).isTrue();
        assertThat(demo.features()).contains("demo/video").doesNotContain("demo/netns");
        assertThat(Setup.command("test", List.of()).role()).isEqualTo("dev");
        assertThatThrownBy(() -> Setup.command("engine", List.of())).hasMessageContaining("only demo and test");
    }
}
