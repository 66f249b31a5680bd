package io.vmc.port;

import java.io.IOException;

/** The port is already open in another process (the kernel allows one opener: EBUSY). */
public final class PortBusyException extends IOException {

    private final String portName;

    public PortBusyException(String portName, String device) {
        super("virtio port '" + portName + "' (" + device + ") is busy: another process has it open;"
                + " only one may (is vmc-agentd already running? try 'fuser -v " + device + "')");
        this.portName = portName;
    }

    public String portName() {
        return portName;
    }
}
