package io.vmc.engine.internal.ui;

import io.vmc.engine.CameraConsent;
import io.vmc.engine.internal.LiveCaptures;
import java.awt.BorderLayout;
import java.awt.FlowLayout;
import java.awt.event.KeyEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.util.concurrent.CompletableFuture;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JDialog;
import javax.swing.JPanel;
import javax.swing.JTextArea;
import javax.swing.KeyStroke;
import javax.swing.SwingUtilities;
import javax.swing.Timer;
import javax.swing.WindowConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's camera prompt: a small always-on-top dialog on the engine's own display (the thin
 * client), outside the guest's reach. Deny is the default button and Allow is only enabled after
 * {@link #ARM_DELAY_MS}, so a key the user meant for the desktop cannot allow the camera. Closing
 * the dialog or pressing Escape denies. Everything Swing runs on the AWT event thread; the caller
 * only gets the future.
 */
public final class SwingCameraConsent implements CameraConsent {
    private static final Logger LOG = LoggerFactory.getLogger(SwingCameraConsent.class);
    public static final String TITLE = "VMC: camera request";
    /** Allow is disabled this long after the dialog appears. */
    static final int ARM_DELAY_MS = 1000;
    /** Longest guest-supplied text shown in the prompt. */
    public static final int MAX_SHOWN_CHARS = LiveCaptures.MAX_LABEL_CHARS;

    @Override
    public CompletableFuture<Answer> ask(Question q) {
        return SwingPrompt.onEventThread("camera prompt", answer -> show(q, answer));
    }

    private static void show(Question q, CompletableFuture<Answer> answer) {
        if (answer.isDone()) return; // cancelled before the event thread got here
        JDialog d;
        try {
            d = new JDialog((java.awt.Frame) null, TITLE, false);
        } catch (RuntimeException | Error e) {
            LOG.warn("camera prompt: {}", e.toString());
            answer.completeExceptionally(new IllegalStateException("cannot show the camera prompt: " + e, e));
            return;
        }
        JTextArea text = new JTextArea(message(q));
        text.setEditable(false); // plain text: guest strings are never rendered as HTML
        text.setFocusable(false);
        text.setOpaque(false);
        text.setBorder(BorderFactory.createEmptyBorder(12, 12, 6, 12));
        JButton allow = new JButton("Allow");
        allow.setMnemonic(KeyEvent.VK_A);
        allow.setEnabled(false);
        JButton deny = new JButton("Deny");
        deny.setMnemonic(KeyEvent.VK_D);
        allow.addActionListener(e -> answer.complete(Answer.ALLOW));
        deny.addActionListener(e -> answer.complete(Answer.DENY));
        JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT));
        buttons.add(allow);
        buttons.add(deny);
        d.getContentPane().add(text, BorderLayout.CENTER);
        d.getContentPane().add(buttons, BorderLayout.SOUTH);
        d.getRootPane().setDefaultButton(deny);
        d.getRootPane().registerKeyboardAction(e -> answer.complete(Answer.DENY),
                KeyStroke.getKeyStroke(KeyEvent.VK_ESCAPE, 0), JComponent.WHEN_IN_FOCUSED_WINDOW);
        d.setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
        d.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosing(WindowEvent e) {
                answer.complete(Answer.DENY);
            }
        });
        d.setAlwaysOnTop(true);
        d.setResizable(false);
        d.pack();
        d.setLocationRelativeTo(null);
        Timer arm = new Timer(ARM_DELAY_MS, e -> allow.setEnabled(true));
        arm.setRepeats(false);
        // answered, timed out or call ended: take the dialog down (on the event thread)
        answer.whenComplete((a, t) -> SwingUtilities.invokeLater(() -> {
            arm.stop();
            d.dispose();
        }));
        d.setVisible(true);
        deny.requestFocusInWindow();
        arm.start();
    }

    static String message(Question q) {
        long s = q.timeout().toSeconds();
        return "An application in your virtual desktop wants to send video from your camera.\n\n"
                + "Application: " + q.application() + "\n"
                + "Call: " + q.label() + " (session " + q.sessionId() + ")\n"
                + "Camera: " + q.camera() + "\n\n"
                + "Allow it for this call? Without an answer in " + s + " s the camera stays off;\n"
                + "the call goes on without your video.";
    }

    /** Guest text made safe to show ({@link LiveCaptures#shownText}), quoted; empty shows as "(none)". */
    public static String shownText(String guest) {
        String s = LiveCaptures.shownText(guest);
        return guest == null || guest.isBlank() ? s : "\"" + s + "\"";
    }
}
