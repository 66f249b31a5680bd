package io.vmc.it.cli;

import io.vmc.agent.api.Rect;
import io.vmc.agent.api.SessionOptions;
import io.vmc.agent.api.VideoArea;
import io.vmc.agent.api.Vmc;
import io.vmc.it.softphone.Softphone;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./vmc softphone}: the sample SIP softphone written on the agent API. */
@Command(name = "softphone", mixinStandardHelpOptions = true,
        description = {"The sample SIP softphone written on the VMC agent API.",
            "Listens for calls (auto-answer) or, with --call, dials one; prints one line per event."})
final class SoftphoneCommand implements Callable<Integer> {

    @Option(names = "--user", defaultValue = "alice", description = "SIP user name. Default: ${DEFAULT-VALUE}.")
    String user;

    @Option(names = "--sip", defaultValue = "127.0.0.1:5060",
            description = "Local SIP address HOST:PORT (UDP). Default: ${DEFAULT-VALUE}.")
    String sipAddress;

    @Option(names = "--call", description = "SIP URI to call, e.g. sip:bob@127.0.0.1:5062.")
    String target;

    @Option(names = "--agent-socket", description = "vmc-agentd's API socket. Default: $VMC_AGENT_SOCKET or "
            + "/run/vmc/agent.sock.")
    Path agentSocket;

    @Option(names = "--codec", split = ",", description = "Audio codec preference, e.g. opus,PCMU.")
    List<String> codecs = List.of();

    @Option(names = "--duration", defaultValue = "0",
            description = "Hang up after this many seconds of call (0: stay until the peer hangs up).")
    int durationSeconds;

    @Option(names = "--dtmf", description = "Digits to send once the call is established.")
    String dtmf;

    @Option(names = "--connect-timeout", defaultValue = "10",
            description = "Seconds to wait for vmc-agentd to answer (slow VMs). Default: ${DEFAULT-VALUE}.")
    int connectTimeoutSeconds;

    @Option(names = "--wait-optimized", defaultValue = "0", description = "Before calling, wait up to this many "
            + "seconds for the media to be OPTIMIZED (engine connected); then call anyway.")
    int waitOptimizedSeconds;

    @Option(names = "--video", description = "Make video calls: the remote video is drawn at --video-area.")
    boolean video;

    @Option(names = "--video-area", paramLabel = "X,Y,W,H", defaultValue = "100,80,320,240",
            description = "With --video: where the softphone's video pane is on the guest desktop, in pixels. "
                    + "Default: ${DEFAULT-VALUE}.")
    String videoArea;

    @Option(names = "--screen-size", paramLabel = "WxH", defaultValue = "640x480",
            description = "With --video: size of the guest desktop the area is on. Default: ${DEFAULT-VALUE}.")
    String screenSize;

    @Option(names = "--stats-interval", defaultValue = "0", paramLabel = "SECONDS",
            description = "Ask for call statistics every SECONDS and print them (0: only at the end). Default: ${DEFAULT-VALUE}.")
    int statsIntervalSeconds;

    @Override
    public Integer call() throws Exception {
        int colon = sipAddress.lastIndexOf(':');
        if (colon < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--sip must be HOST:PORT, got '" + sipAddress + "'");
        }
        VideoArea area = video ? videoArea() : null;
        SessionOptions.Builder session = SessionOptions.builder().audio(true).video(video)
                .label(target == null ? "incoming for " + user : "call to " + target);
        if (!codecs.isEmpty()) { // none given: the engine's defaults
            session.audioCodecs(codecs);
        }
        SessionOptions options = session.build();
        Vmc.Builder vmcBuilder = Vmc.builder().appName("vmc-softphone/" + user)
                .connectTimeout(java.time.Duration.ofSeconds(connectTimeoutSeconds))
                .requestTimeout(java.time.Duration.ofSeconds(connectTimeoutSeconds));
        if (agentSocket != null) {
            vmcBuilder.socket(agentSocket);
        }
        try (Vmc vmc = vmcBuilder.connect(); Softphone phone = new Softphone(vmc, options, area, System.out)) {
            phone.statsInterval(java.time.Duration.ofSeconds(statsIntervalSeconds));
            phone.start(user, sipAddress.substring(0, colon), Integer.parseInt(sipAddress.substring(colon + 1)));
            if (target != null) {
                phone.awaitOptimized(waitOptimizedSeconds, TimeUnit.SECONDS);
                phone.call(target);
                if (!phone.awaitEstablished(30, TimeUnit.SECONDS)) {
                    System.out.println("CALL failed: not established within 30 s");
                    return 1;
                }
            } else {
                phone.awaitEstablished(Long.MAX_VALUE, TimeUnit.DAYS);
            }
            if (dtmf != null) {
                phone.sendDtmf(dtmf);
            }
            boolean endedByPeer = durationSeconds > 0
                    ? phone.awaitEnded(durationSeconds, TimeUnit.SECONDS)
                    : phone.awaitEnded(Long.MAX_VALUE, TimeUnit.DAYS);
            if (!endedByPeer) {
                phone.hangUp();
            }
            return 0;
        }
    }

    private VideoArea videoArea() {
        String[] xywh = videoArea.split(",", -1);
        String[] wh = screenSize.toLowerCase(java.util.Locale.ROOT).split("x", -1);
        try {
            if (xywh.length != 4 || wh.length != 2) {
                throw new NumberFormatException();
            }
            return VideoArea.builder()
                    .area(Rect.of(Integer.parseInt(xywh[0].trim()), Integer.parseInt(xywh[1].trim()),
                            Integer.parseInt(xywh[2].trim()), Integer.parseInt(xywh[3].trim())))
                    .screenSize(Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim()))
                    .build();
        } catch (IllegalArgumentException e) { // NumberFormatException too
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--video-area must be X,Y,W,H and --screen-size WxH, got " + videoArea + " and " + screenSize
                            + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
    }
}
