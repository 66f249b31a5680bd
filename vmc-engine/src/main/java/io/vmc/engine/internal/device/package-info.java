/**
 * The thin client's devices beyond audio capture and playout: the headset's buttons and mute LED
 * (Linux evdev, {@code struct input_event} of {@code linux/input.h}; HID usages mapped by the kernel's
 * {@code hid-input}), found through sysfs as the input device that shares a USB device with the ALSA
 * card behind the selected PulseAudio device; and the continuity of a call's audio when its device
 * changes ({@link io.vmc.engine.internal.device.RtpTimestampContinuity}).
 *
 * <p>Everything here reads files (sysfs, {@code /dev/input/event*}) with plain Java I/O: no ioctl, so no
 * native code and no root (the thin-client guide's udev rule gives the user the headset's event node).
 */
package io.vmc.engine.internal.device;
