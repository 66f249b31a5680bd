package io.vmc.engine.internal.ui;

import io.vmc.engine.ScreenShareConsent;
import io.vmc.port.spice.ScreenPicture;
import java.awt.BorderLayout;
import java.awt.FlowLayout;
import java.awt.Image;
import java.awt.event.KeyEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.awt.image.BufferedImage;
import java.util.concurrent.CompletableFuture;
import javax.swing.BorderFactory;
import javax.swing.ImageIcon;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JDialog;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JTextArea;
import javax.swing.KeyStroke;
import javax.swing.SwingUtilities;
import javax.swing.Timer;
import javax.swing.WindowConstants;

/**
 * The engine's screen-share prompt, on the thin client's display, outside the guest's reach. The
 * prompt shows a preview of exactly what would be sent; Deny is the default button and Share is
 * enabled only after {@link SwingCameraConsent#ARM_DELAY_MS}, as for the camera. While sharing, the
 * engine's capture indicator lists the share with its own Stop: no second window (a second
 * always-on-top window in a corner covered the indicator, or was covered by it, on small screens).
 */
public final class SwingScreenShareConsent implements ScreenShareConsent {
    public static final String TITLE = "VMC: screen share request";
    /** The preview fits in this box. */
    static final int PREVIEW_WIDTH = 480;
    static final int PREVIEW_HEIGHT = 300;

    @Override
    public CompletableFuture<Boolean> ask(Question q) {
        return SwingPrompt.onEventThread("screen share prompt", answer -> showPrompt(q, answer));
    }

    @Override
    public AutoCloseable sharing(Question q, Runnable stop) {
        return () -> { }; // the capture indicator shows the share and stops it
    }

    private static void showPrompt(Question q, CompletableFuture<Boolean> answer) {
        if (answer.isDone()) return;
        JDialog d;
        try {
            d = new JDialog((java.awt.Frame) null, TITLE, false);
        } catch (RuntimeException | Error e) {
            answer.completeExceptionally(new IllegalStateException("cannot show the screen share prompt: " + e, e));
            return;
        }
        JTextArea text = plainText(message(q));
        JLabel preview = new JLabel(new ImageIcon(previewImage(q.preview())));
        preview.setBorder(BorderFactory.createEmptyBorder(0, 12, 6, 12));
        JButton share = new JButton("Share");
        share.setMnemonic(KeyEvent.VK_S);
        share.setEnabled(false);
        JButton deny = new JButton("Deny");
        deny.setMnemonic(KeyEvent.VK_D);
        share.addActionListener(e -> answer.complete(true));
        deny.addActionListener(e -> answer.complete(false));
        JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT));
        buttons.add(share);
        buttons.add(deny);
        d.getContentPane().add(text, BorderLayout.NORTH);
        d.getContentPane().add(preview, BorderLayout.CENTER);
        d.getContentPane().add(buttons, BorderLayout.SOUTH);
        d.getRootPane().setDefaultButton(deny);
        d.getRootPane().registerKeyboardAction(e -> answer.complete(false),
                KeyStroke.getKeyStroke(KeyEvent.VK_ESCAPE, 0), JComponent.WHEN_IN_FOCUSED_WINDOW);
        d.setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
        d.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosing(WindowEvent e) {
                answer.complete(false);
            }
        });
        d.setAlwaysOnTop(true);
        d.setResizable(false);
        d.pack();
        d.setLocationRelativeTo(null);
        Timer arm = new Timer(SwingCameraConsent.ARM_DELAY_MS, e -> share.setEnabled(true));
        arm.setRepeats(false);
        answer.whenComplete((a, t) -> SwingUtilities.invokeLater(() -> {
            arm.stop();
            d.dispose();
        }));
        d.setVisible(true);
        deny.requestFocusInWindow();
        arm.start();
    }

    private static JTextArea plainText(String s) {
        JTextArea text = new JTextArea(s);
        text.setEditable(false); // plain text: guest strings are never rendered as HTML
        text.setFocusable(false);
        text.setOpaque(false);
        text.setBorder(BorderFactory.createEmptyBorder(12, 12, 6, 12));
        return text;
    }

    static String message(Question q) {
        return "An application in your virtual desktop wants to share your screen in a call.\n\n"
                + "Application: " + q.application() + "\n"
                + "Call: " + q.label() + " (session " + q.sessionId() + ")\n"
                + "Shared: " + q.what() + (q.title().equals("(none)") ? "" : ", " + q.title()) + "\n\n"
                + "This is what the other side would see (it follows your screen while shared).\n"
                + "Without an answer in " + q.timeout().toSeconds() + " s nothing is shared.";
    }

    /** The preview scaled to fit {@link #PREVIEW_WIDTH} x {@link #PREVIEW_HEIGHT}. */
    static Image previewImage(ScreenPicture p) {
        BufferedImage img = toImage(p);
        double s = Math.min(1.0, Math.min((double) PREVIEW_WIDTH / p.width(), (double) PREVIEW_HEIGHT / p.height()));
        int w = Math.max(1, (int) Math.round(p.width() * s));
        int h = Math.max(1, (int) Math.round(p.height() * s));
        return s == 1.0 ? img : img.getScaledInstance(w, h, Image.SCALE_SMOOTH);
    }

    static BufferedImage toImage(ScreenPicture p) {
        BufferedImage img = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < p.height(); y++) {
            for (int x = 0; x < p.width(); x++) {
                img.setRGB(x, y, p.rgb(x, y));
            }
        }
        return img;
    }
}
