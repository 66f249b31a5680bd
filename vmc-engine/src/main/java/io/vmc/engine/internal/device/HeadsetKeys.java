package io.vmc.engine.internal.device;

import io.vmc.transport.proto.CallControl;
import java.util.Map;
import java.util.Optional;

/**
 * What a headset key means for the call, given whether a ring plays and whether a call is up. The
 * codes are those of linux/input-event-codes.h that the kernel's hid-input gives headset buttons:
 * Consumer "Telephone" and the hook button of most USB and Bluetooth headsets ({@code KEY_PHONE},
 * {@code KEY_PLAYPAUSE}, {@code KEY_MEDIA} for the one-button jack headsets), Telephony
 * "Phone Mute" ({@code KEY_MICMUTE}), the pick-up/hang-up pair of newer kernels and the volume keys.
 */
public final class HeadsetKeys {
    public static final int KEY_VOLUMEDOWN = 114;
    public static final int KEY_VOLUMEUP = 115;
    public static final int KEY_PLAYPAUSE = 164;
    public static final int KEY_PHONE = 169;
    public static final int KEY_MEDIA = 226;
    public static final int KEY_MICMUTE = 248;
    public static final int KEY_PICKUP_PHONE = 0x1bd;
    public static final int KEY_HANGUP_PHONE = 0x1be;

    private static final Map<Integer, String> NAMES = Map.of(KEY_VOLUMEDOWN, "KEY_VOLUMEDOWN", KEY_VOLUMEUP, "KEY_VOLUMEUP",
            KEY_PLAYPAUSE, "KEY_PLAYPAUSE", KEY_PHONE, "KEY_PHONE", KEY_MEDIA, "KEY_MEDIA", KEY_MICMUTE, "KEY_MICMUTE",
            KEY_PICKUP_PHONE, "KEY_PICKUP_PHONE", KEY_HANGUP_PHONE, "KEY_HANGUP_PHONE");

    private HeadsetKeys() {
    }

    /** The keys a headset's input device must have at least one of. */
    public static Iterable<Integer> codes() {
        return NAMES.keySet();
    }

    /** The kernel's name of a key this class knows, else empty. */
    public static Optional<String> name(int code) {
        return Optional.ofNullable(NAMES.get(code));
    }

    /**
     * The action of one key event, or empty when it means nothing now: releases, auto-repeat of
     * anything but the volume keys, the hook button with neither a ring nor a call, mute and volume
     * with no call.
     */
    public static Optional<CallControl.Action> action(InputEvent e, boolean ringing, boolean inCall) {
        if (!e.isKey() || e.value() == InputEvent.RELEASED) return Optional.empty();
        boolean repeat = e.value() == InputEvent.REPEATED;
        CallControl.Action a = switch (e.code()) {
            case KEY_PHONE, KEY_PLAYPAUSE, KEY_MEDIA -> ringing ? CallControl.Action.ANSWER : inCall ? CallControl.Action.HANG_UP : null;
            case KEY_PICKUP_PHONE -> ringing ? CallControl.Action.ANSWER : null;
            case KEY_HANGUP_PHONE -> ringing || inCall ? CallControl.Action.HANG_UP : null;
            case KEY_MICMUTE -> inCall ? CallControl.Action.TOGGLE_MUTE : null;
            case KEY_VOLUMEUP -> inCall || ringing ? CallControl.Action.VOLUME_UP : null;
            case KEY_VOLUMEDOWN -> inCall || ringing ? CallControl.Action.VOLUME_DOWN : null;
            default -> null;
        };
        if (a == null) return Optional.empty();
        if (repeat && a != CallControl.Action.VOLUME_UP && a != CallControl.Action.VOLUME_DOWN) return Optional.empty();
        return Optional.of(a);
    }
}
