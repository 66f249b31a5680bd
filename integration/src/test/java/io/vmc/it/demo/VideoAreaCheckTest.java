package io.vmc.it.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's screenshot reading must tell a video at the right place from one that is not. */
@Timeout(10)
class VideoAreaCheckTest {
    private static final Rectangle AREA = SessionWindows.VIDEO_AREA;

    @Test
    void videoExactlyInTheAreaPasses() {
        BufferedImage shot = window(new Rectangle(AREA), 0x10f010);
        assertThat(VideoAreaCheck.videoShown(shot, AREA, TestPatternColour.GREEN, SessionWindows.BACKGROUND).ok()).isTrue();
        assertThat(VideoAreaCheck.videoGone(shot, AREA, SessionWindows.BACKGROUND).ok()).isFalse();
    }

    @Test
    void videoShiftedOrTooLargeOrOfTheWrongColourFails() {
        Rectangle shifted = new Rectangle(AREA.x + 20, AREA.y, AREA.width, AREA.height);
        Rectangle larger = new Rectangle(AREA.x - 20, AREA.y - 20, AREA.width + 40, AREA.height + 40);
        for (BufferedImage shot : new BufferedImage[] {window(shifted, 0x00ff00), window(larger, 0x00ff00),
            window(new Rectangle(AREA), 0xff0000)}) {
            VideoAreaCheck.Result r = VideoAreaCheck.videoShown(shot, AREA, TestPatternColour.GREEN, SessionWindows.BACKGROUND);
            assertThat(r.ok()).isFalse();
            assertThat(r.detail()).contains(" at ");
        }
    }

    @Test
    void anEmptyWindowShowsNoVideo() {
        BufferedImage shot = window(new Rectangle(0, 0, 0, 0), 0);
        assertThat(VideoAreaCheck.videoShown(shot, AREA, TestPatternColour.RED, SessionWindows.BACKGROUND).detail())
                .contains("inside the video area, expected red");
        assertThat(VideoAreaCheck.videoGone(shot, AREA, SessionWindows.BACKGROUND).ok()).isTrue();
    }

    private static BufferedImage window(Rectangle video, int rgb) {
        BufferedImage img = new BufferedImage(SessionWindows.GUEST_WIDTH, SessionWindows.GUEST_HEIGHT,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(SessionWindows.BACKGROUND));
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(new Color(rgb));
        g.fill(video);
        g.dispose();
        return img;
    }
}
