package io.vmc.engine;

import io.vmc.port.spice.ScreenPicture;
import java.awt.Rectangle;
import java.util.Optional;

/**
 * The guest screen as the thin client received it, for screen sharing: the SPICE display's own
 * pixels ({@link io.vmc.port.spice.SpiceSession#captureScreen}), so nothing the thin client draws
 * over the session window (the remote video overlay, prompts, other windows) is ever shared.
 */
@FunctionalInterface
public interface ScreenSource {
    /**
     * @param area the part wanted in guest screen coordinates (cut to the screen), null = all of it
     * @return empty while there is no picture (not connected yet, display gone)
     */
    Optional<ScreenPicture> capture(Rectangle area);
}
