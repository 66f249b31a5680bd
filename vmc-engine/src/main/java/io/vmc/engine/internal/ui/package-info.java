/**
 * What the engine shows the user on the thin client: the camera consent dialog (Swing) and the rule
 * that at most one such question is open at a time, the capture indicator (the devices the guest
 * has live, with Stop) and the engine's status window.
 *
 * <p>May use Swing, the public {@code io.vmc.engine} types and {@link io.vmc.engine.internal};
 * nothing below it (no media, RTP or transport).
 */
package io.vmc.engine.internal.ui;
