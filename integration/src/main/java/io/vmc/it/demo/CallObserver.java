package io.vmc.it.demo;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows one sample softphone through its output lines (MODE, CALL, STATS...), as the demo and
 * the end-to-end tests see the call: through the app, like a user would.
 */
public final class CallObserver {

    private static final Pattern MODE = Pattern.compile("^MODE (\\w+) reason=(\\w+).*");
    private static final Pattern KEY_VALUE = Pattern.compile("(\\w+)=(\\S+)");

    private final String party;
    private final CountDownLatch established = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private final CountDownLatch optimized = new CountDownLatch(1);
    private volatile String mode = "?";
    private volatile String modeReason = "";
    private volatile Map<String, String> lastStats = Map.of();
    private volatile Map<String, String> lastVideoStats = Map.of();
    private volatile String videoArea = "never set";
    private final StringBuilder received = new StringBuilder();

    public CallObserver(String party) {
        this.party = party;
    }

    /** Feeds one output line of the softphone. */
    public void accept(String line) {
        Matcher m = MODE.matcher(line);
        if (m.matches()) {
            mode = m.group(1);
            modeReason = m.group(2);
            if (mode.equals("OPTIMIZED")) {
                optimized.countDown();
            }
        } else if (line.startsWith("CALL established")) {
            established.countDown();
        } else if (line.startsWith("CALL ended") || line.startsWith("CALL failed")) {
            ended.countDown();
        } else if (line.startsWith("STATS ")) {
            lastStats = keyValues(line);
        } else if (line.startsWith("VIDEO STATS ")) {
            lastVideoStats = keyValues(line);
        } else if (line.startsWith("VIDEO area ")) {
            videoArea = line.substring("VIDEO area ".length());
        } else if (line.startsWith("DTMF received ")) {
            synchronized (received) {
                received.append(line.substring("DTMF received ".length()).trim());
            }
        }
    }

    private static Map<String, String> keyValues(String line) {
        Map<String, String> values = new ConcurrentHashMap<>();
        Matcher kv = KEY_VALUE.matcher(line);
        while (kv.find()) {
            values.put(kv.group(1), kv.group(2));
        }
        return values;
    }

    public String party() {
        return party;
    }

    public CountDownLatch established() {
        return established;
    }

    public CountDownLatch ended() {
        return ended;
    }

    public CountDownLatch optimized() {
        return optimized;
    }

    public String mode() {
        return mode;
    }

    public String modeReason() {
        return modeReason;
    }

    public Optional<String> stat(String key) {
        return Optional.ofNullable(lastStats.get(key));
    }

    public long statLong(String key) {
        return stat(key).map(v -> (long) Double.parseDouble(v)).orElse(0L);
    }

    /** From the softphone's last {@code VIDEO STATS} line (codec, received, frames_decoded...). */
    public Optional<String> videoStat(String key) {
        return Optional.ofNullable(lastVideoStats.get(key));
    }

    public long videoStatLong(String key) {
        return videoStat(key).map(v -> (long) Double.parseDouble(v)).orElse(0L);
    }

    /** What the softphone last said about its video area: where it is, cleared, refused, or never set. */
    public String videoArea() {
        return videoArea;
    }

    public String dtmfReceived() {
        synchronized (received) {
            return received.toString();
        }
    }
}
