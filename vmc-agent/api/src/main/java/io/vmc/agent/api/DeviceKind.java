package io.vmc.agent.api;

/**
 * Kind of media device.
 *
 * <pre>{@code
 * vmc.devices().stream().filter(d -> d.kind() == DeviceKind.MICROPHONE).forEach(System.out::println);
 * }</pre>
 */
public enum DeviceKind {
    MICROPHONE,
    SPEAKER,
    CAMERA
}
