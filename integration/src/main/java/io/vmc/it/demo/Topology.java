package io.vmc.it.demo;

import io.vmc.it.lab.NetworkLab;
import io.vmc.it.lab.Ports;
import java.io.IOException;
import java.util.List;

/**
 * Where each demo process runs and how they reach each other: all on loopback, or the VDI side
 * and each thin client in their own network namespace.
 */
final class Topology {
    /** The engine listens for its VM's agentd here in namespace mode (the SPICE path's stand-in). */
    static final int CONTROL_PORT = 7000;

    private final NetworkLab lab;
    private final int sipPortAlice;
    private final int sipPortBob;

    private Topology(NetworkLab lab, int sipPortAlice, int sipPortBob) {
        this.lab = lab;
        this.sipPortAlice = sipPortAlice;
        this.sipPortBob = sipPortBob;
    }

    static Topology loopback() throws IOException {
        return new Topology(null, Ports.freeUdpPort(), Ports.freeUdpPort());
    }

    static Topology namespaces(NetworkLab lab) {
        return new Topology(lab, 5060, 5062);
    }

    int sipPortAlice() {
        return sipPortAlice;
    }

    int sipPortBob() {
        return sipPortBob;
    }

    /** Namespace of the VMs (null: this one). */
    String vdiNamespace() {
        return lab == null ? null : lab.vdi().namespace();
    }

    String clientNamespace(Party p) {
        return lab == null ? null : client(p).namespace();
    }

    String engineChannel(Party p) {
        return lab == null ? "unix-listen:" + p.channelSocket()
                : "tcp-listen:" + client(p).controlAddress() + ":" + CONTROL_PORT;
    }

    String agentChannel(Party p) {
        return lab == null ? "unix:" + p.channelSocket()
                : "tcp:" + client(p).controlAddress() + ":" + CONTROL_PORT;
    }

    /** Extra {@code vmc engine} options: on loopback, the policy that allows media to 127.0.0.1. */
    List<String> engineOptions(java.nio.file.Path runDir) throws IOException {
        return lab == null ? LoopbackPolicy.engineOptions(runDir) : List.of();
    }

    /** The address the engine gathers ICE candidates on. */
    String mediaAddress(Party p) {
        return lab == null ? "127.0.0.1" : client(p).officeAddress();
    }

    private NetworkLab.Host client(Party p) {
        return p.name().equals("alice") ? lab.clientA() : lab.clientB();
    }
}
