package io.vmc.engine.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ToneAnalyzerTest {
    static short[] sine(double hz, int rate, int n) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) s[i] = (short) (8000 * Math.sin(2 * Math.PI * hz * i / rate));
        return s;
    }

    @Test
    void findsPureTones() {
        assertThat(ToneAnalyzer.dominantFrequency(sine(440, 48000, 48000), 48000)).isCloseTo(440, within(0.5));
        assertThat(ToneAnalyzer.dominantFrequency(sine(880, 8000, 8000), 8000)).isCloseTo(880, within(0.5));
        assertThat(ToneAnalyzer.dominantFrequency(sine(1234.5, 16000, 3000), 16000)).isCloseTo(1234.5, within(3.0));
        assertThat(ToneAnalyzer.dominantFrequency(new short[48000], 48000)).isZero();
    }

    @Test
    void wavRoundTrip(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.wav");
        short[] s = sine(660, 48000, 96000);
        ByteBuffer b = ByteBuffer.allocate(s.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : s) b.putShort(v);
        try (WavWriter w = new WavWriter(f, 48000, 1)) {
            w.write(b.array(), 0, b.capacity());
        }
        ToneAnalyzer.Pcm pcm = ToneAnalyzer.readWav(f);
        assertThat(pcm.sampleRate()).isEqualTo(48000);
        assertThat(pcm.durationSeconds()).isCloseTo(2.0, within(0.001));
        assertThat(ToneAnalyzer.dominantFrequency(f)).isCloseTo(660, within(0.5));
        assertThat(ToneAnalyzer.levelDbfs(s)).isCloseTo(20 * Math.log10(8000 / Math.sqrt(2) / 32768), within(0.1));
    }
}
