package io.vmc.stun.internal;

import java.util.Arrays;

/** One attribute as it appeared on the wire: type and value without padding. */
public record StunAttribute(int type, byte[] value) {
    public StunAttribute {
        if (type < 0 || type > 0xFFFF) {
            throw new IllegalArgumentException("attribute type " + type + " is outside 0..0xFFFF");
        }
        if (value.length > 0xFFFF) {
            throw new IllegalArgumentException("attribute value of " + value.length + " bytes exceeds 65535");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StunAttribute a && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return String.format("0x%04x[%d bytes]", type, value.length);
    }
}
