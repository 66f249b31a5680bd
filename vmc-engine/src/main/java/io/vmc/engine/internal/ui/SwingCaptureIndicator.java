package io.vmc.engine.internal.ui;

import io.vmc.engine.internal.LiveCaptures;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.GridLayout;
import java.awt.Rectangle;
import java.util.List;
import java.util.stream.Collectors;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JDialog;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.SwingUtilities;
import javax.swing.WindowConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture indicator: while the guest has a microphone, camera or screen of the thin client
 * live, a small always-on-top window in the top right corner of the engine's display (outside the
 * guest's reach) names each one with its app, with a Stop button per row. The window's title says
 * the same, for screen readers and window lists. Closing the window does not stop anything (only
 * Stop does): it comes back with the next change. Swing runs on the AWT event thread.
 */
public final class SwingCaptureIndicator implements LiveCaptures.View {
    private static final Logger LOG = LoggerFactory.getLogger(SwingCaptureIndicator.class);
    /** The window title starts with this. */
    public static final String TITLE = "VMC: in use";

    private final LiveCaptures captures;
    private JDialog window; // event thread only

    private SwingCaptureIndicator(LiveCaptures captures) {
        this.captures = captures;
    }

    /** Shows {@code captures} on this display; false (nothing attached) when there is no display. */
    public static boolean attach(LiveCaptures captures) {
        if (GraphicsEnvironment.isHeadless()) return false;
        captures.addView(new SwingCaptureIndicator(captures));
        return true;
    }

    @Override
    public void changed(List<LiveCaptures.Shown> live) {
        try {
            SwingUtilities.invokeLater(() -> show(live));
        } catch (RuntimeException | Error e) { // AWTError: $DISPLAY unreachable
            LOG.warn("cannot show the capture indicator: {}", e.toString());
        }
    }

    /** The window title for these captures: {@code VMC: in use: microphone "X" live for app "Y"}. */
    public static String title(List<LiveCaptures.Shown> live) {
        return TITLE + ": " + live.stream().map(LiveCaptures.Shown::describe).collect(Collectors.joining("; "));
    }

    private void show(List<LiveCaptures.Shown> live) {
        if (window != null) {
            window.dispose();
            window = null;
        }
        if (live.isEmpty()) return;
        JDialog d;
        try {
            d = new JDialog((java.awt.Frame) null, title(live), false);
        } catch (RuntimeException | Error e) {
            LOG.warn("capture indicator: {}", e.toString());
            return;
        }
        JPanel rows = new JPanel(new GridLayout(live.size(), 1, 0, 4));
        rows.setBorder(BorderFactory.createEmptyBorder(4, 8, 4, 4));
        for (LiveCaptures.Shown c : live) {
            JPanel row = new JPanel(new BorderLayout(8, 0));
            // JLabel would render text starting with <html> as markup: guest text must stay plain
            JLabel text = new JLabel();
            text.putClientProperty("html.disable", Boolean.TRUE);
            text.setText("\u25CF " + c.describe());
            text.setForeground(new Color(0xB00020));
            JButton stop = new JButton("Stop");
            stop.setToolTipText("Stop the " + c.kind().label() + " for this call; the app cannot turn it back on");
            stop.addActionListener(e -> captures.stop(c.id()));
            row.add(text, BorderLayout.CENTER);
            row.add(stop, BorderLayout.EAST);
            rows.add(row);
        }
        d.getContentPane().add(rows, BorderLayout.CENTER);
        d.setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
        d.setFocusableWindowState(false); // keys typed into the desktop never reach Stop
        d.setAlwaysOnTop(true);
        d.setResizable(false);
        d.pack();
        Rectangle screen = GraphicsEnvironment.getLocalGraphicsEnvironment().getMaximumWindowBounds();
        d.setLocation(screen.x + screen.width - d.getWidth() - 8, screen.y + 8);
        d.setVisible(true);
        window = d;
    }
}
