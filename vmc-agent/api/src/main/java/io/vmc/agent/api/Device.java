package io.vmc.agent.api;

import java.util.Objects;

/**
 * A microphone, speaker or camera where the media runs (the thin client in {@link Mode#OPTIMIZED}
 * mode, the VM in {@link Mode#FALLBACK}).
 *
 * <pre>{@code
 * Device headset = vmc.devices().stream()
 *         .filter(d -> d.kind() == DeviceKind.MICROPHONE && d.name().contains("Jabra"))
 *         .findFirst().orElseThrow();
 * vmc.selectDevice(headset);
 * }</pre>
 */
public final class Device {
    private final String id;
    private final String name;
    private final DeviceKind kind;
    private final boolean isDefault;

    private Device(Builder b) {
        this.id = b.id;
        this.name = b.name;
        this.kind = b.kind;
        this.isDefault = b.isDefault;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Opaque, stable while the device is present. */
    public String id() {
        return id;
    }

    /** Human readable name. */
    public String name() {
        return name;
    }

    public DeviceKind kind() {
        return kind;
    }

    /** Whether the system uses this device when none is selected. */
    public boolean isDefault() {
        return isDefault;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && d.id.equals(id) && d.name.equals(name) && d.kind == kind && d.isDefault == isDefault;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, kind, isDefault);
    }

    @Override
    public String toString() {
        return kind + " '" + name + "' (" + id + (isDefault ? ", default" : "") + ")";
    }

    /** Builds a {@link Device}; id and kind are required. */
    public static final class Builder {
        private String id;
        private String name = "";
        private DeviceKind kind;
        private boolean isDefault;

        private Builder() {}

        public Builder id(String id) {
            Objects.requireNonNull(id, "id must not be null");
            if (id.isEmpty() || id.length() > 256) {
                throw new IllegalArgumentException("id must be 1..256 characters, was " + id.length());
            }
            this.id = id;
            return this;
        }

        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name must not be null");
            return this;
        }

        public Builder kind(DeviceKind kind) {
            this.kind = Objects.requireNonNull(kind, "kind must not be null");
            return this;
        }

        public Builder isDefault(boolean isDefault) {
            this.isDefault = isDefault;
            return this;
        }

        public Device build() {
            if (id == null) {
                throw new IllegalStateException("id must be set");
            }
            if (kind == null) {
                throw new IllegalStateException("kind must be set");
            }
            return new Device(this);
        }
    }
}
