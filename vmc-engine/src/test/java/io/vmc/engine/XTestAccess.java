package io.vmc.engine;

import java.awt.image.BufferedImage;
import java.io.IOException;

/** Lets tests in sub-packages use {@link VideoOverlayCallTest}'s private Xvfb, parent window and screenshots. */
public final class XTestAccess {
    private XTestAccess() {
    }

    /** A private Xvfb (800x600) with a plain top-level window covering it in one solid colour. */
    public static final class Screen implements AutoCloseable {
        private final VideoOverlayCallTest.XServer x;
        private final VideoOverlayCallTest.ParentWindow parent;

        public Screen(int background) throws IOException {
            Tools.require("Xvfb");
            Tools.require("import");
            x = VideoOverlayCallTest.XServer.start();
            try {
                parent = new VideoOverlayCallTest.ParentWindow(x.display, 800, 600, background);
            } catch (RuntimeException e) {
                try {
                    x.close();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                throw e;
            }
        }

        public String display() { return x.display; }
        public long parentWindow() { return parent.id(); }
        public int width() { return 800; }
        public int height() { return 600; }

        public BufferedImage shot() throws IOException, InterruptedException {
            return VideoOverlayCallTest.shot(x.display);
        }

        @Override
        public void close() throws InterruptedException {
            try {
                parent.close();
            } finally {
                x.close();
            }
        }
    }
}
