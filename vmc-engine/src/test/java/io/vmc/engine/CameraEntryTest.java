package io.vmc.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmc.engine.internal.media.GstSupport;
import io.vmc.transport.proto.Device;
import org.freedesktop.gstreamer.Structure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which V4L2 devices become cameras and what their ids are, on the properties GStreamer's V4L2
 * device provider gives.
 */
class CameraEntryTest {
    @BeforeAll
    static void gst() {
        GstSupport.init();
    }

    private static Structure props(String path, String card, String bus) {
        return Structure.fromString("v4l2deviceprovider, device.api=(string)v4l2, device.path=(string)" + path
                + ", v4l2.device.driver=(string)vivid, v4l2.device.card=(string)\"" + card + "\""
                + ", v4l2.device.bus_info=(string)" + bus);
    }

    @Test
    void aV4l2CaptureDeviceIsACameraWithAnOpaqueStableId() {
        Devices.Entry e = Devices.camera("vivid", props("/dev/video2", "vivid", "platform:vivid-000"));
        assertThat(e.kind()).isEqualTo(Device.DeviceKind.CAMERA);
        assertThat(e.id()).matches("cam-[0-9a-f]{12}").doesNotContain("video");
        assertThat(e.systemName()).isEqualTo("/dev/video2");
        assertThat(e.name()).isEqualTo("vivid");
        assertThat(e.isDefault()).isFalse();
        // the same camera under another node (re-plugged, or after a reboot): the same id
        assertThat(Devices.camera("vivid", props("/dev/video5", "vivid", "platform:vivid-000")).id()).isEqualTo(e.id());
        assertThat(Devices.camera("vivid", props("/dev/video0", "vivid", "platform:vivid-000")).isDefault()).isTrue();
    }

    @Test
    void twoIdenticalCamerasOnTwoPortsHaveTwoIds() {
        String a = Devices.camera("HD Webcam", props("/dev/video0", "HD Webcam", "usb-0000:00:14.0-1")).id();
        String b = Devices.camera("HD Webcam", props("/dev/video2", "HD Webcam", "usb-0000:00:14.0-2")).id();
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void otherVideoSourcesAndOddPathsAreNotCameras() {
        assertThat(Devices.camera("screen", Structure.fromString("p, device.api=(string)pipewire, device.path=(string)/dev/video0"))).isNull();
        assertThat(Devices.camera("x", props("/dev/../etc/passwd", "vivid", "b"))).isNull();
        assertThat(Devices.camera("x", props("/dev/video12345", "vivid", "b"))).isNull();
        assertThat(Devices.camera("x", Structure.fromString("p, device.api=(string)v4l2"))).isNull();
        assertThat(Devices.camera("x", null)).isNull();
        // no card or bus: still a camera, known by its path
        Devices.Entry e = Devices.camera("", Structure.fromString("p, device.api=(string)v4l2, device.path=(string)/dev/video3"));
        assertThat(e.name()).isEqualTo("/dev/video3");
        assertThat(e.id()).matches("cam-[0-9a-f]{12}");
    }
}
