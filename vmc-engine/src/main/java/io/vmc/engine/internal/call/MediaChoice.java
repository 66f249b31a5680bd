package io.vmc.engine.internal.call;

import io.vmc.engine.EngineConfig;
import io.vmc.engine.internal.EngineException;
import io.vmc.engine.internal.Failure;
import io.vmc.engine.internal.media.AudioCodec;
import io.vmc.engine.internal.media.VideoCodec;
import io.vmc.transport.proto.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a call may negotiate, decided once when it is created from the app's options and the
 * client policy: the audio and video codecs, whether video is wanted at all, and if not, why.
 * Immutable; made on the CreateSession request thread.
 *
 * @param videoDisabledReason why the app's video is off (policy, no codec), or null
 */
record MediaChoice(List<AudioCodec> audioCodecs, List<VideoCodec> videoCodecs, boolean videoWanted, String videoDisabledReason) {

    /**
     * @param failures counts a policy or media refusal (also when video is only turned off)
     * @throws EngineException for unknown codec names, or when the policy allows none of the app's audio codecs
     */
    static MediaChoice of(SessionOptions options, EngineConfig config, Consumer<Failure> failures) {
        List<AudioCodec> allowed = new ArrayList<>();
        for (String n : config.audioCodecs()) {
            allowed.add(AudioCodec.fromName(n).orElseThrow());
        }
        List<AudioCodec> audio = new ArrayList<>();
        if (options.getAudioCodecsCount() == 0) {
            audio.addAll(allowed);
        } else {
            for (String n : options.getAudioCodecsList()) {
                AudioCodec c = AudioCodec.fromName(n).orElseThrow(() -> EngineException.invalid("unknown audio codec \"" + n + "\""));
                if (!audio.contains(c) && allowed.contains(c)) audio.add(c);
            }
            if (audio.isEmpty()) {
                failures.accept(Failure.POLICY);
                throw EngineException.precondition("none of the audio codecs " + options.getAudioCodecsList()
                        + " is allowed by the client policy (allowed: " + config.audioCodecs() + ")");
            }
        }
        List<VideoCodec> wantedVideo = new ArrayList<>();
        if (options.getVideoCodecsCount() == 0) {
            wantedVideo.addAll(List.of(VideoCodec.values()));
        } else {
            for (String n : options.getVideoCodecsList()) {
                VideoCodec c = VideoCodec.fromName(n).orElseThrow(() -> EngineException.invalid("unknown video codec \"" + n + "\""));
                if (!wantedVideo.contains(c)) wantedVideo.add(c);
            }
        }
        List<VideoCodec> video = options.getVideo() ? VideoCodec.usable(wantedVideo, VideoCodec::hasElement) : List.of();
        if (options.getVideo() && !config.videoEnabled()) {
            failures.accept(Failure.POLICY);
            return new MediaChoice(List.copyOf(audio), video, false, "video disabled by the client policy; the call is audio-only");
        }
        if (options.getVideo() && !options.getScreenShare() && config.videoSource().isCamera()
                && config.cameraPolicy() == EngineConfig.CameraPolicy.DENY) {
            failures.accept(Failure.POLICY);
            return new MediaChoice(List.copyOf(audio), video, false,
                    "video disabled: camera use denied by policy (" + config.videoSource() + "); the call is audio-only");
        }
        if (options.getVideo() && video.isEmpty()) {
            List<String> why = new ArrayList<>();
            for (VideoCodec c : wantedVideo) c.unavailability(VideoCodec::hasElement).ifPresent(why::add);
            failures.accept(Failure.MEDIA);
            return new MediaChoice(List.copyOf(audio), video, false,
                    "video disabled: no usable video codec (" + String.join("; ", why) + "); the call is audio-only");
        }
        return new MediaChoice(List.copyOf(audio), video, options.getVideo(), null);
    }
}
