/**
 * The overlay renderer's API: {@link io.vmc.overlay.VideoOverlay} draws decoded video into a child
 * window of the SPICE session window at the place of the softphone's video area inside the guest
 * desktop (see ARCHITECTURE.md section 8). X11 only; implementation details live in
 * {@code io.vmc.overlay.internal} and {@code io.vmc.overlay.nativeapi}, which are not API.
 */
package io.vmc.overlay;
