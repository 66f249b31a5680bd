package io.vmc.agent.api;

import java.awt.Component;
import java.awt.Dimension;
import java.awt.GraphicsConfiguration;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Toolkit;
import java.util.List;
import javax.swing.JComponent;

/**
 * Derives a {@link VideoArea} from the AWT/Swing component where a Java softphone shows the
 * remote video, so the engine can draw the picture at that place on the thin client.
 *
 * <pre>{@code
 * JPanel videoPanel = ...;
 * ComponentAdapter follow = new ComponentAdapter() {
 *     @Override public void componentMoved(ComponentEvent e) { update(); }
 *     @Override public void componentResized(ComponentEvent e) { update(); }
 *     @Override public void componentHidden(ComponentEvent e) { update(); }
 *     @Override public void componentShown(ComponentEvent e) { update(); }
 *     void update() { call.setVideoAreaAsync(ComponentVideoArea.of(0, videoPanel)); }
 * };
 * videoPanel.addComponentListener(follow);
 * SwingUtilities.getWindowAncestor(videoPanel).addComponentListener(follow);
 * }</pre>
 *
 * <p>Call it on the AWT event thread, like every Swing query.
 */
public final class ComponentVideoArea {
    private ComponentVideoArea() {}

    /**
     * The component's area in desktop coordinates; hidden when it is not showing. For a
     * {@link JComponent} only its visible rectangle counts (a scroll pane may cut it).
     */
    public static VideoArea of(int mappingId, Component component) {
        if (!component.isShowing() || component.getWidth() <= 0 || component.getHeight() <= 0) {
            return VideoArea.hidden(mappingId);
        }
        Dimension screen = screenSize(component);
        Point origin = component.getLocationOnScreen();
        Rectangle bounds = new Rectangle(origin.x, origin.y, component.getWidth(), component.getHeight());
        Rectangle visible = component instanceof JComponent j ? j.getVisibleRect() : new Rectangle(component.getSize());
        visible.translate(origin.x, origin.y);
        return fromScreenBounds(mappingId, bounds, visible, screen);
    }

    /**
     * The same from plain rectangles in desktop coordinates, for toolkits other than AWT.
     *
     * @param visible the part of {@code bounds} the user can see; empty means hidden
     */
    public static VideoArea fromScreenBounds(int mappingId, Rectangle bounds, Rectangle visible, Dimension screen) {
        VideoArea.Builder b = VideoArea.builder().mappingId(mappingId)
                .area(Rect.of(bounds.x, bounds.y, Math.max(1, bounds.width), Math.max(1, bounds.height)))
                .screenSize(screen.width, screen.height);
        Rectangle shown = visible.intersection(bounds);
        if (shown.isEmpty()) {
            b.visibleRegions(List.of());
        } else if (!shown.equals(bounds)) {
            b.visibleRegions(List.of(Rect.of(shown.x, shown.y, shown.width, shown.height)));
        }
        return b.build();
    }

    private static Dimension screenSize(Component component) {
        GraphicsConfiguration gc = component.getGraphicsConfiguration();
        if (gc != null) {
            Rectangle desktop = gc.getDevice().getDefaultConfiguration().getBounds();
            return new Dimension(desktop.width, desktop.height);
        }
        return Toolkit.getDefaultToolkit().getScreenSize();
    }
}
