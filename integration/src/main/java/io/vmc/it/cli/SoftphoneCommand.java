package io.vmc.it.cli;

import io.vmc.agent.api.SessionOptions;
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

    @Override
    public Integer call() throws Exception {
        int colon = sipAddress.lastIndexOf(':');
        if (colon < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--sip must be HOST:PORT, got '" + sipAddress + "'");
        }
        SessionOptions.Builder session = SessionOptions.builder().audio(true)
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
        try (Vmc vmc = vmcBuilder.connect(); Softphone phone = new Softphone(vmc, options, System.out)) {
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
}
