package io.vmc.port.spice;

/**
 * Part of the guest's screen: {@code width x height} pixels at {@code x,y} of a
 * {@code screenWidth x screenHeight} screen, 4 bytes a pixel in memory order B, G, R, x
 * (GStreamer's {@code BGRx}), rows without padding.
 */
public record ScreenPicture(int screenWidth, int screenHeight, int x, int y, int width, int height, byte[] bgrx) {
    public ScreenPicture {
        if (width <= 0 || height <= 0 || bgrx.length != width * height * 4) {
            throw new IllegalArgumentException("picture of " + width + "x" + height + " needs " + width * height * 4
                    + " bytes, got " + bgrx.length);
        }
    }

    /** The pixel at {@code px,py} of this picture as 0xRRGGBB. */
    public int rgb(int px, int py) {
        int i = (py * width + px) * 4;
        return (bgrx[i + 2] & 0xff) << 16 | (bgrx[i + 1] & 0xff) << 8 | bgrx[i] & 0xff;
    }
}
