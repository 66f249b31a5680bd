package io.vmc.engine.internal.call;

import io.vmc.engine.internal.EngineException;
import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SessionDescription;
import io.vmc.transport.proto.MediaKind;
import java.util.List;

/**
 * The m= lines of the last description exchanged, in order, each with its mid and what it carries
 * here (audio, video, or nothing: rejected). Trickled candidates name their section by them, both
 * ways (JSEP: the mid wins over the m-line index); re-offers keep them. Under the call's monitor.
 */
final class SectionLines {
    /** Where a section's candidates are announced: its mid and m-line index. */
    record Place(String mid, int index) { }

    private List<Negotiator.Line> lines = List.of();

    List<Negotiator.Line> list() {
        return lines;
    }

    /** Records the description's lines: which is our audio, which our video, the others rejected. */
    void record(SessionDescription sdp, MediaDescription audio, MediaDescription video) {
        // (a description of ours has one line of each kind; the peer's may have more, only the chosen ones count)
        lines = sdp.media().stream().map(m -> Negotiator.Line.of(m, m == audio ? MediaKind.AUDIO : m == video ? MediaKind.VIDEO : null)).toList();
    }

    /** Our own description's line with this mid, or null. */
    static MediaDescription own(SessionDescription own, String mid) {
        return own.media().stream().filter(m -> m.attribute("mid").orElse("").equals(mid)).findFirst().orElse(null);
    }

    /** A section's a=mid if it is a usable token (at most 32 characters, RFC 5888 token characters), else null. */
    static String usableMid(MediaDescription m) {
        String mid = m.attribute("mid").map(String::strip).orElse("");
        return mid.matches("[A-Za-z0-9!#$%&'*+.^_`{|}~-]{1,32}") ? mid : null;
    }

    /** The index of the line that carries this kind, or -1. */
    int indexOf(MediaKind kind) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).kind() == kind) return i;
        }
        return -1;
    }

    /**
     * The kind of the section a trickled candidate names by {@code mid} or, without one, by
     * {@code mLineIndex}: AUDIO before anything was exchanged, null for a line this call rejected.
     *
     * @throws EngineException INVALID_ARGUMENT for a mid or index that names no line
     */
    MediaKind kindOf(String mid, int mLineIndex) {
        if (lines.isEmpty()) return MediaKind.AUDIO; // nothing exchanged yet: refused later as "no offer or answer yet"
        List<String> mids = lines.stream().map(Negotiator.Line::mid).toList();
        int line = mid.isEmpty() ? mLineIndex : mids.indexOf(mid);
        if (line < 0) throw EngineException.invalid("candidate for mid \"" + mid + "\": no m= section has that mid (mids: " + mids + ")");
        if (line >= lines.size()) {
            throw EngineException.invalid("candidate for m_line_index " + mLineIndex + ": the session description has " + lines.size() + " m= sections");
        }
        return lines.get(line).kind();
    }

    /**
     * Where the candidates of a transport are announced: the lead transport's go with audio's line
     * (video's in a video-only call, known from the lines before the call is), an unbundled video
     * transport's with video's; before our first offer audio is line 0 and video line 1.
     */
    Place placeOf(boolean ownVideo, String audioMid, String videoMid) {
        boolean ofVideo = ownVideo || indexOf(MediaKind.AUDIO) < 0 && indexOf(MediaKind.VIDEO) >= 0;
        int index = indexOf(ofVideo ? MediaKind.VIDEO : MediaKind.AUDIO);
        String mid = index >= 0 && lines.get(index).mid() != null ? lines.get(index).mid() : ofVideo ? videoMid : audioMid;
        return new Place(mid, index >= 0 ? index : ofVideo ? 1 : 0);
    }
}
