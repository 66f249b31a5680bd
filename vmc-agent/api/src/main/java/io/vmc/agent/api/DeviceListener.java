package io.vmc.agent.api;

/**
 * Told when a device appears, disappears or becomes the default. Runs on the {@link Vmc}
 * instance's dispatcher thread.
 *
 * <pre>{@code
 * vmc.addDeviceListener((device, change) -> {
 *     if (change == DeviceListener.Change.REMOVED) ui.removeDevice(device.id());
 * });
 * }</pre>
 */
@FunctionalInterface
public interface DeviceListener {
    /** What happened to the device. */
    enum Change {
        ADDED,
        REMOVED,
        DEFAULT_CHANGED
    }

    void onDeviceChanged(Device device, Change change);
}
