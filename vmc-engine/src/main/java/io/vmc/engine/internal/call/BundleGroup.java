package io.vmc.engine.internal.call;

import io.vmc.engine.sdp.MediaDescription;
import io.vmc.engine.sdp.SessionDescription;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The BUNDLE group of an SDP (<a href="https://www.rfc-editor.org/rfc/rfc8843#section-8">RFC 8843
 * section 8</a>): the {@code a=mid} values that share one transport, in the order given (the
 * first is the offerer's tag). Only the first BUNDLE group is used (the engine bundles one audio
 * and one video section). Identification tags that name no m= section of the SDP are left out
 * and listed in {@link #unknownMids()} (a peer's mistake must not cost the call), as are
 * repeated ones.
 *
 * @param mids the group's mids that name an m= section of this SDP, in order, without repeats
 * @param unknownMids tags in the group that name no m= section (for a log line or state reason)
 */
public record BundleGroup(List<String> mids, List<String> unknownMids) {
    /** Most identification tags read from one group line; the rest are ignored (8 m= sections at most anyway). */
    public static final int MAX_TAGS = 16;

    public BundleGroup {
        mids = List.copyOf(mids);
        unknownMids = List.copyOf(unknownMids);
    }

    /** The first {@code a=group:BUNDLE} of the session, or empty when there is none (or it names no section). */
    public static Optional<BundleGroup> of(SessionDescription sdp) {
        Set<String> present = new LinkedHashSet<>();
        for (MediaDescription m : sdp.media()) {
            m.attribute("mid").map(String::strip).filter(s -> !s.isEmpty()).ifPresent(present::add);
        }
        for (String v : sdp.attributes().stream().filter(a -> a.name().equalsIgnoreCase("group"))
                .map(a -> a.value() == null ? "" : a.value()).toList()) {
            String[] f = v.strip().split("\\s+");
            if (f.length < 2 || !f[0].equalsIgnoreCase("BUNDLE")) continue;
            Set<String> mids = new LinkedHashSet<>();
            List<String> unknown = new ArrayList<>();
            for (int i = 1; i < f.length && i <= MAX_TAGS; i++) {
                if (present.contains(f[i])) {
                    if (!mids.add(f[i])) unknown.add(f[i]);
                } else {
                    unknown.add(f[i]);
                }
            }
            if (mids.isEmpty()) return Optional.empty();
            return Optional.of(new BundleGroup(List.copyOf(mids), unknown));
        }
        return Optional.empty();
    }

    /** Whether the section with this mid is in the group. */
    public boolean contains(String mid) {
        return mid != null && mids.contains(mid);
    }

    /** The {@code a=group} value for these mids ({@code "BUNDLE 0 1"}). */
    public static String attributeValue(List<String> mids) {
        return "BUNDLE " + String.join(" ", mids);
    }
}
