/** Audio helpers for tools and tests: WAV writing and reading, tone recognition by FFT. */
package io.vmc.engine.media;
