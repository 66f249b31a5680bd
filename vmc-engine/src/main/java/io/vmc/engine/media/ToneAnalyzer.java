package io.vmc.engine.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Recognises a test tone: dominant frequency of 16-bit PCM by a Hann-windowed FFT with parabolic
 * peak interpolation (well under 1 Hz error for a pure tone over one second), and the RMS level.
 */
public final class ToneAnalyzer {
    private ToneAnalyzer() {
    }

    /** PCM samples (first channel only) and their rate. */
    public record Pcm(short[] samples, int sampleRate) {
        public double durationSeconds() {
            return samples.length / (double) sampleRate;
        }

        /** The samples from {@code fromSec} for {@code lengthSec} seconds (clamped to what exists). */
        public Pcm slice(double fromSec, double lengthSec) {
            int from = (int) Math.min(samples.length, Math.max(0, Math.round(fromSec * sampleRate)));
            int to = (int) Math.min(samples.length, from + Math.max(0, Math.round(lengthSec * sampleRate)));
            short[] out = new short[to - from];
            System.arraycopy(samples, from, out, 0, out.length);
            return new Pcm(out, sampleRate);
        }
    }

    /** Reads a PCM WAV file (16-bit, any channel count; the first channel is returned). */
    public static Pcm readWav(Path wav) throws IOException {
        byte[] all = Files.readAllBytes(wav);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
            throw new IOException(wav + " is not a RIFF/WAVE file");
        }
        int pos = 12;
        int channels = 0;
        int rate = 0;
        int bits = 0;
        while (pos + 8 <= all.length) {
            int id = b.getInt(pos);
            long size = Integer.toUnsignedLong(b.getInt(pos + 4));
            int body = pos + 8;
            if (id == 0x20746d66) { // "fmt "
                int format = b.getShort(body) & 0xffff;
                channels = b.getShort(body + 2);
                rate = b.getInt(body + 4);
                bits = b.getShort(body + 14);
                if (format != 1 && format != 0xfffe || bits != 16) {
                    throw new IOException(wav + ": only 16-bit PCM is supported (format " + format + ", " + bits + " bits)");
                }
            } else if (id == 0x61746164) { // "data"
                if (channels <= 0 || rate <= 0) throw new IOException(wav + ": data before fmt");
                // a writer that was killed may leave size 0 or 0xffffffff: take what is there
                long avail = all.length - body;
                long len = size == 0 || size > avail ? avail : size;
                int frames = (int) (len / (2L * channels));
                short[] s = new short[frames];
                for (int i = 0; i < frames; i++) {
                    s[i] = b.getShort(body + i * 2 * channels);
                }
                return new Pcm(s, rate);
            }
            pos = (int) Math.min(Integer.MAX_VALUE, body + size + (size & 1));
        }
        throw new IOException(wav + ": no data chunk");
    }

    /**
     * Dominant frequency in Hz of a WAV file, analysed over its loudest second (recordings start
     * and end with call setup and teardown, which may be silent).
     */
    public static double dominantFrequency(Path wav) throws IOException {
        Pcm w = loudestSecond(readWav(wav));
        return dominantFrequency(w.samples(), w.sampleRate());
    }

    /** The one-second window (in quarter-second steps) with the highest RMS; the whole buffer if shorter. */
    public static Pcm loudestSecond(Pcm pcm) {
        double d = pcm.durationSeconds();
        if (d <= 1.0) return pcm;
        Pcm best = pcm.slice(0, 1.0);
        double bestRms = rms(best.samples());
        for (double t = 0.25; t + 1.0 <= d; t += 0.25) {
            Pcm w = pcm.slice(t, 1.0);
            double r = rms(w.samples());
            if (r > bestRms) {
                bestRms = r;
                best = w;
            }
        }
        return best;
    }

    /** Dominant frequency in Hz; 0 for silence or an empty buffer. */
    public static double dominantFrequency(short[] pcm, int sampleRate) {
        if (pcm.length < 16 || rms(pcm) < 1.0) {
            return 0;
        }
        int n = Integer.highestOneBit(Math.min(pcm.length, 1 << 17));
        if (n < pcm.length && n < (1 << 17)) {
            n <<= 1; // zero-pad up to the next power of two
        }
        int used = Math.min(pcm.length, n);
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < used; i++) {
            double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (used - 1));
            re[i] = pcm[i] * w;
        }
        fft(re, im);
        int best = 1;
        double bestMag = -1;
        double[] mag = new double[n / 2];
        for (int k = 1; k < n / 2; k++) {
            mag[k] = Math.hypot(re[k], im[k]);
            if (mag[k] > bestMag) {
                bestMag = mag[k];
                best = k;
            }
        }
        double shift = 0;
        if (best > 1 && best < n / 2 - 1) {
            double a = Math.log(mag[best - 1] + 1e-12);
            double b = Math.log(mag[best] + 1e-12);
            double c = Math.log(mag[best + 1] + 1e-12);
            double den = a - 2 * b + c;
            if (den != 0) shift = 0.5 * (a - c) / den;
        }
        return (best + shift) * sampleRate / (double) n;
    }

    /** RMS of 16-bit samples (0..32768). */
    public static double rms(short[] pcm) {
        if (pcm.length == 0) return 0;
        double sum = 0;
        for (short s : pcm) sum += (double) s * s;
        return Math.sqrt(sum / pcm.length);
    }

    /** Level in dBFS (full-scale sine is about -3 dBFS); -120 for digital silence. */
    public static double levelDbfs(short[] pcm) {
        double r = rms(pcm);
        return r <= 0 ? -120 : Math.max(-120, 20 * Math.log10(r / 32768.0));
    }

    /** In-place iterative radix-2 FFT; n must be a power of two. */
    static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double ang = -2 * Math.PI / len;
            double wr = Math.cos(ang);
            double wi = Math.sin(ang);
            for (int i = 0; i < n; i += len) {
                double cr = 1;
                double ci = 0;
                for (int k = 0; k < len / 2; k++) {
                    int a = i + k;
                    int b = a + len / 2;
                    double xr = re[b] * cr - im[b] * ci;
                    double xi = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                    double t = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = t;
                }
            }
        }
    }
}
