package io.vmc.engine.internal.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.EngineConfig;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the sender puts on the wire follows the configured resolution and frame rate caps. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VideoFormatTest {

    @Test
    void vp8KeyframesCarryTheCappedSizeAndPicturesComeAtTheCappedRate() throws Exception {
        assertSent(new EngineConfig.VideoFormat(320, 240, 15));
        assertSent(EngineConfig.VideoFormat.DEFAULT);
    }

    private static void assertSent(EngineConfig.VideoFormat format) throws Exception {
        List<byte[]> packets = new CopyOnWriteArrayList<>();
        try (VideoPipelines.Sender s = new VideoPipelines.Sender(VideoCodec.VP8, EngineConfig.VideoSource.testPattern("ball"),
                format, 96, 800, null, packets::add, e -> { })) {
            s.start();
            Thread.sleep(1000);
            int before = packets.size();
            long t0 = System.nanoTime();
            Thread.sleep(3000);
            List<byte[]> window = packets.subList(before, packets.size());
            double seconds = (System.nanoTime() - t0) / 1e9;
            long pictures = window.stream().filter(p -> (p[1] & 0x80) != 0).count(); // RTP marker: last packet of a picture
            double fps = pictures / seconds;
            int[] size = packets.stream().map(VideoFormatTest::vp8KeyframeSize).filter(wh -> wh != null).findFirst()
                    .orElseThrow(() -> new AssertionError("no VP8 keyframe sent"));
            System.out.printf("VideoFormatTest: cap %s -> keyframe %dx%d, %.1f pictures/s%n", format, size[0], size[1], fps);
            assertThat(size).containsExactly(format.width(), format.height());
            // a loaded machine may drop some, never exceed the cap
            assertThat(fps).isLessThanOrEqualTo(format.fps() * 1.1).isGreaterThan(format.fps() * 0.4);
        }
    }

    /**
     * Width and height from a VP8 keyframe that starts in this RTP packet (RFC 7741 payload
     * descriptor, then the RFC 6386 frame tag and start code 9d 01 2a), or null.
     */
    static int[] vp8KeyframeSize(byte[] p) {
        int d = 12;
        if (p.length < d + 1) return null;
        boolean start = (p[d] & 0x10) != 0 && (p[d] & 0x07) == 0;
        int pos = d + 1;
        if ((p[d] & 0x80) != 0) { // X: extension byte
            int ext = p[pos++] & 0xff;
            if ((ext & 0x80) != 0) pos += (p[pos] & 0x80) != 0 ? 2 : 1; // I: picture id, 7 or 15 bits
            if ((ext & 0x40) != 0) pos++; // L: TL0PICIDX
            if ((ext & 0x30) != 0) pos++; // T or K
        }
        if (!start || p.length < pos + 10 || (p[pos] & 0x01) != 0) return null; // P bit 0 = keyframe
        if ((p[pos + 3] & 0xff) != 0x9d || (p[pos + 4] & 0xff) != 0x01 || (p[pos + 5] & 0xff) != 0x2a) return null;
        int w = ((p[pos + 6] & 0xff) | (p[pos + 7] & 0xff) << 8) & 0x3fff;
        int h = ((p[pos + 8] & 0xff) | (p[pos + 9] & 0xff) << 8) & 0x3fff;
        return new int[] {w, h};
    }
}
