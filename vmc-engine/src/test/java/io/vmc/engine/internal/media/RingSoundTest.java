package io.vmc.engine.internal.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RingSoundTest {
    /** RIFF header, fmt chunk (PCM, channels, rate), data chunk of {@code frames} zero frames. */
    static ByteBuffer wav(int channels, int rate, int frames) {
        ByteBuffer b = ByteBuffer.allocate(44 + frames * 2 * channels).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + frames * 2 * channels).putInt(0x45564157)
         .putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) channels).putInt(rate)
         .putInt(rate * 2 * channels).putShort((short) (2 * channels)).putShort((short) 16)
         .putInt(0x61746164).putInt(frames * 2 * channels);
        return b;
    }

    @Test
    void parsesPcmAndStepsOverOtherChunks() {
        RingSound s = RingSound.fromWav(wav(2, 16000, 1600).array());
        assertThat(s.channels()).isEqualTo(2);
        assertThat(s.rate()).isEqualTo(16000);
        assertThat(s.durationSeconds()).isEqualTo(0.1);
        // a LIST chunk (odd size, padded) before fmt
        byte[] plain = wav(1, 8000, 80).array();
        ByteBuffer b = ByteBuffer.allocate(plain.length + 8 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(plain, 0, 12).putInt(0x5453494c).putInt(3).put(new byte[] {1, 2, 3, 0}).put(plain, 12, plain.length - 12);
        assertThat(RingSound.fromWav(b.array()).pcm()).hasSize(160);
    }

    @Test
    void builtInSoundsHaveTheirCadence() {
        assertThat(RingSound.ringtone().durationSeconds()).isEqualTo(4.0);
        assertThat(RingSound.ringback().durationSeconds()).isEqualTo(5.0);
    }

    @Test
    void refusesWhatIsNotAShortPcmFile() {
        assertThatThrownBy(() -> RingSound.fromWav(new byte[RingSound.MAX_WAV_BYTES + 1])).hasMessageContaining("exceeds the allowed maximum");
        assertThatThrownBy(() -> RingSound.fromWav(wav(1, 8000, 8000 * (RingSound.MAX_SECONDS + 1)).array())).hasMessageContaining("at most 10 s");
        assertThatThrownBy(() -> RingSound.fromWav(wav(3, 8000, 10).array())).hasMessageContaining("3 channels");
        assertThatThrownBy(() -> RingSound.fromWav(wav(1, 96000, 10).array())).hasMessageContaining("96000 Hz");
        assertThatThrownBy(() -> RingSound.fromWav(wav(1, -1, 10).array())).hasMessageContaining("4294967295 Hz");
        assertThatThrownBy(() -> RingSound.fromWav(wav(1, 8000, 0).array())).hasMessageContaining("no samples");
        ByteBuffer eightBit = wav(1, 8000, 10);
        eightBit.putShort(34, (short) 8);
        assertThatThrownBy(() -> RingSound.fromWav(eightBit.array())).hasMessageContaining("16-bit PCM");
        ByteBuffer hugeData = wav(1, 8000, 10);
        hugeData.putInt(40, -1);
        assertThatThrownBy(() -> RingSound.fromWav(hugeData.array())).hasMessageContaining("4294967295 bytes");
        ByteBuffer hugeFmt = wav(1, 8000, 10);
        hugeFmt.putInt(16, Integer.MAX_VALUE);
        assertThatThrownBy(() -> RingSound.fromWav(hugeFmt.array())).hasMessageContaining("fmt chunk");
        ByteBuffer dataFirst = wav(1, 8000, 10);
        dataFirst.putInt(12, 0x61746164);
        assertThatThrownBy(() -> RingSound.fromWav(dataFirst.array())).hasMessageContaining("before its fmt");
        // endless empty chunks
        ByteBuffer junk = ByteBuffer.allocate(12 + 8 * 40).order(ByteOrder.LITTLE_ENDIAN);
        junk.putInt(0x46464952).putInt(0).putInt(0x45564157);
        assertThatThrownBy(() -> RingSound.fromWav(junk.array())).hasMessageContaining("no data chunk");
    }

    @Test
    void everyTruncationAndRandomBytesFailCleanly() {
        byte[] good = wav(1, 8000, 40).array();
        for (int n = 0; n < 44; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThatThrownBy(() -> RingSound.fromWav(cut)).isInstanceOf(IllegalArgumentException.class);
        }
        Random r = new Random(20);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = good.clone();
            for (int k = 0; k < 4; k++) bytes[r.nextInt(44)] = (byte) r.nextInt();
            try {
                RingSound s = RingSound.fromWav(bytes);
                assertThat(s.pcm().length).isLessThanOrEqualTo(bytes.length);
            } catch (IllegalArgumentException expected) {
                // what a corrupted header must give
            }
        }
    }
}
