package io.vmc.engine.internal.call;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.rtp.VideoFlow;
import io.vmc.overlay.OverlayException;
import io.vmc.overlay.OverlayOptions;
import io.vmc.overlay.OverlaySupport;
import io.vmc.overlay.VideoArea;
import io.vmc.overlay.VideoOverlay;
import io.vmc.transport.proto.Error;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a call's video shows on the thin client: the remote video's overlay and the self view's (a
 * second overlay fed from the sender, at the app's self-view mapping), both child windows of the
 * session window, attached when the video flow starts and placed by the guest's geometry updates.
 * Under the call's monitor.
 */
final class VideoView {
    private static final Logger LOG = LoggerFactory.getLogger(Call.class);
    private final Call call;
    private final EngineConfig config;
    private VideoOverlay overlay;
    private VideoOverlay selfOverlay;
    private int selfViewMapping = -1;
    private VideoArea selfViewArea;

    VideoView(Call call, EngineConfig config) {
        this.call = call;
        this.config = config;
    }

    VideoOverlay remote() { return overlay; }

    VideoOverlay self() { return selfOverlay; }

    /** Attaches the overlays a new flow with these directions needs, once per call. */
    void attach(VideoFlow.Params p, boolean selfViewAllowed) {
        if (overlay == null && p.receive() && config.overlayParentWindow() != 0) {
            overlay = attachOverlay("remote-" + call.id());
        }
        if (selfOverlay == null && p.send() && selfViewAllowed && config.overlayParentWindow() != 0) {
            selfOverlay = attachOverlay("self-" + call.id());
        }
    }

    /** The video pipeline failed: its self view goes. */
    void flowFailed() {
        if (selfOverlay != null) selfOverlay.close();
        selfOverlay = null;
    }

    private VideoOverlay attachOverlay(String name) {
        if (!OverlaySupport.isAvailable()) {
            LOG.warn("session {}: no video overlay: {}", call.id(), OverlaySupport.unavailabilityCause().toString());
            return null;
        }
        int[] insets = config.overlayInsets();
        try {
            OverlayOptions.Builder b = OverlayOptions.builder()
                    .parentWindow(config.overlayParentWindow()).displayName(config.overlayDisplay())
                    .displayInsets(insets[0], insets[1], insets[2], insets[3]).name(name);
            if (config.overlayMonitors() != null) b.monitors(config.overlayMonitors());
            return VideoOverlay.attach(b.build());
        } catch (OverlayException | RuntimeException e) {
            LOG.warn("session {}: no video overlay: {}", call.id(), e.toString());
            return null;
        }
    }

    /**
     * Applies a validated geometry update from the guest: to the self view when {@code selfView} is
     * set or when it clears the self view's mapping, to the remote video's overlay otherwise.
     *
     * @param area null to clear the mapping
     */
    void setVideoArea(int mappingId, boolean selfView, VideoArea area) {
        if (selfView || (area == null && mappingId == selfViewMapping)) {
            setSelfViewArea(mappingId, area);
            return;
        }
        if (config.overlayParentWindow() == 0) throw EngineException.precondition("the engine has no overlay window (--overlay-window)");
        if (overlay == null) throw EngineException.precondition("no remote video in this session (yet)");
        if (area == null) overlay.clearVideoArea(); else overlay.setVideoArea(area);
    }

    /**
     * The self view shows what this call sends. Accepted before the video is negotiated or while
     * the camera prompt is open (shown from when the sender runs); refused when nothing will be sent.
     */
    private void setSelfViewArea(int mappingId, VideoArea area) {
        VideoFlow f = call.video.flow;
        if (area == null) {
            if (mappingId != selfViewMapping) return; // clearing an unknown self view: nothing to do
            selfViewMapping = -1;
            selfViewArea = null;
            if (selfOverlay != null) selfOverlay.clearVideoArea();
            if (f != null) f.setSelfView(false);
            return;
        }
        MediaChoice media = call.media;
        if (!media.videoWanted()) {
            if (media.videoDisabledReason() != null) throw new EngineException(Error.Code.PERMISSION_DENIED, "no self view: " + media.videoDisabledReason());
            throw EngineException.precondition("no self view: this session has no video");
        }
        CallCaptures captures = call.captures;
        if (captures.cameraDenied()) throw new EngineException(Error.Code.PERMISSION_DENIED, "no self view: " + captures.cameraDeniedReason());
        if (config.overlayParentWindow() == 0) throw EngineException.precondition("the engine has no overlay window (--overlay-window)");
        if (call.videoRemoteSet() && (f == null || !f.hasSender())) {
            throw EngineException.precondition("no self view: this call sends no video");
        }
        selfViewMapping = mappingId;
        selfViewArea = area;
        if (selfOverlay != null && captures.cameraOk()) showSelfView();
    }

    /** Shows the self view on a running flow if the app mapped one and its overlay exists. */
    void showSelfViewIfMapped() {
        if (selfViewArea != null && selfOverlay != null) showSelfView();
    }

    private void showSelfView() {
        selfOverlay.setVideoArea(selfViewArea);
        call.video.flow.setSelfView(true);
    }

    /** The camera stopped sending: the self view's window goes blank. */
    void clearSelfView() {
        if (selfOverlay != null) selfOverlay.clearVideoArea();
    }

    /** The camera was denied: the self view's mapping is forgotten and nothing feeds it. */
    void forgetSelfView() {
        selfViewMapping = -1;
        selfViewArea = null;
        VideoFlow f = call.video.flow;
        if (f != null) f.setSelfView(false);
        if (selfOverlay != null) selfOverlay.clearVideoArea();
    }

    void close() {
        if (overlay != null) overlay.close();
        if (selfOverlay != null) selfOverlay.close();
    }
}
