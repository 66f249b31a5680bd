package io.vmc.engine.internal.ui;

import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.util.List;
import java.util.function.Consumer;
import javax.swing.BorderFactory;
import javax.swing.JFrame;
import javax.swing.JTextArea;
import javax.swing.SwingUtilities;
import javax.swing.WindowConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's status window under X: a small frame, iconifiable like a tray entry, showing the
 * same lines as the terminal ({@link io.vmc.engine.internal.StatusBoard}). Closing it only hides
 * it; the engine goes on. Swing runs on the AWT event thread.
 */
public final class SwingStatusWindow implements Consumer<List<String>> {
    private static final Logger LOG = LoggerFactory.getLogger(SwingStatusWindow.class);
    public static final String TITLE = "VMC engine";

    private JFrame frame;     // event thread only
    private JTextArea text;   // event thread only

    /** A window for the status, or null when there is no display. */
    public static SwingStatusWindow create() {
        return GraphicsEnvironment.isHeadless() ? null : new SwingStatusWindow();
    }

    @Override
    public void accept(List<String> lines) {
        try {
            SwingUtilities.invokeLater(() -> show(String.join("\n", lines)));
        } catch (RuntimeException | Error e) {
            LOG.warn("cannot show the status window: {}", e.toString());
        }
    }

    private void show(String s) {
        try {
            if (frame == null) {
                frame = new JFrame(TITLE);
                text = new JTextArea(s, 9, 60);
                text.setEditable(false); // plain text: guest strings are never markup
                text.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 12));
                text.setBorder(BorderFactory.createEmptyBorder(6, 8, 6, 8));
                frame.getContentPane().add(text);
                frame.setDefaultCloseOperation(WindowConstants.HIDE_ON_CLOSE);
                frame.setFocusableWindowState(false);
                frame.pack();
                // bottom left, out of the way of the session window (which opens at the top left)
                Rectangle screen = GraphicsEnvironment.getLocalGraphicsEnvironment().getMaximumWindowBounds();
                frame.setLocation(screen.x + 8, Math.max(screen.y, screen.y + screen.height - frame.getHeight() - 8));
                frame.setVisible(true);
            } else {
                text.setText(s);
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("status window: {}", e.toString());
        }
    }
}
