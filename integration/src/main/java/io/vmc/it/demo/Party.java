package io.vmc.it.demo;

import java.nio.file.Path;

/** One side of the demo call: a VM (agentd + softphone) and its user's thin client (engine). */
final class Party {
    private final String name;
    private final int toneHz;
    private final TestPatternColour videoColour;
    private final int sipPort;
    private final Path runDir;
    private final CallObserver observer;

    Party(String name, int toneHz, TestPatternColour videoColour, int sipPort, Path runDir) {
        this.name = name;
        this.toneHz = toneHz;
        this.videoColour = videoColour;
        this.sipPort = sipPort;
        this.runDir = runDir;
        this.observer = new CallObserver(name);
    }

    String name() {
        return name;
    }

    int toneHz() {
        return toneHz;
    }

    /** What this party's engine sends in video calls. */
    TestPatternColour videoColour() {
        return videoColour;
    }

    int sipPort() {
        return sipPort;
    }

    CallObserver observer() {
        return observer;
    }

    /** Where this party's engine records what it receives. */
    Path recordDir() {
        return runDir.resolve(name + "-received");
    }

    /** Where this party's engine appends its call-detail records (demo with metrics). */
    Path callRecords() {
        return runDir.resolve(name + "-calls.jsonl");
    }

    /** agentd's API socket in this party's VM. */
    Path agentSocket() {
        return runDir.resolve(name + "-agent.sock");
    }

    /** The VM's VMC channel when it is a local socket (loopback mode). */
    Path channelSocket() {
        return runDir.resolve(name + "-channel.sock");
    }
}
