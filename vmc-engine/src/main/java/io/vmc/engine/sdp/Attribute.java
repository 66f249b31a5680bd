package io.vmc.engine.sdp;

import java.util.Objects;

/** One {@code a=} line: {@code a=name} (property, value null) or {@code a=name:value}. */
public record Attribute(String name, String value) {
    public Attribute {
        Objects.requireNonNull(name, "name");
    }

    public static Attribute of(String name, Object value) {
        return new Attribute(name, value == null ? null : value.toString());
    }

    public static Attribute flag(String name) {
        return new Attribute(name, null);
    }

    @Override
    public String toString() {
        return value == null ? name : name + ":" + value;
    }
}
