package io.vmc.engine.internal.device;

/**
 * One Linux {@code struct input_event} (linux/input.h) of a 64-bit kernel: {@code timeval} (two
 * 8-byte longs), {@code __u16 type}, {@code __u16 code}, {@code __s32 value}, native (little) endian.
 */
public record InputEvent(long seconds, long micros, int type, int code, int value) {
    /** Size of one event on x86_64 and arm64, the thin clients VMC supports. */
    public static final int BYTES = 24;

    public static final int EV_SYN = 0x00;
    public static final int EV_KEY = 0x01;
    public static final int EV_MSC = 0x04;
    public static final int EV_LED = 0x11;
    public static final int EV_MAX = 0x1f;
    public static final int SYN_REPORT = 0;
    public static final int SYN_DROPPED = 3;
    public static final int KEY_MAX = 0x2ff;
    public static final int LED_MUTE = 0x07;
    public static final int LED_MAX = 0x0f;

    /** EV_KEY values. */
    public static final int RELEASED = 0;
    public static final int PRESSED = 1;
    public static final int REPEATED = 2;

    public boolean isKey() {
        return type == EV_KEY;
    }

    public boolean isSynReport() {
        return type == EV_SYN && code == SYN_REPORT;
    }

    /** An event to write to the device, e.g. a LED state; the kernel ignores the time of written events. */
    public static InputEvent of(int type, int code, int value) {
        return new InputEvent(0, 0, type, code, value);
    }
}
