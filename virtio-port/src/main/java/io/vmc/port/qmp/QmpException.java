package io.vmc.port.qmp;

import java.io.IOException;
import java.util.Map;

/** QEMU answered a QMP command with an error. */
public final class QmpException extends IOException {

    private final String errorClass;

    QmpException(String command, Object error) {
        super("QMP " + command + " failed: " + describe(error));
        this.errorClass = error instanceof Map<?, ?> m && m.get("class") instanceof String c ? c : "";
    }

    /** QMP's error class, e.g. {@code GenericError}, or empty. */
    public String errorClass() {
        return errorClass;
    }

    private static String describe(Object error) {
        if (error instanceof Map<?, ?> m) {
            return m.get("class") + ": " + m.get("desc");
        }
        return String.valueOf(error);
    }
}
