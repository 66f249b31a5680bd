package io.vmc.it.doctor;

import java.util.Locale;

/** What the machine is for; each role needs a different set of checks to pass. */
public enum Role {
    /** Thin client: runs the engine beside spice-gtk. */
    CLIENT,
    /** Guest VM: runs vmc-agentd on the virtio port. */
    GUEST,
    /** Developer or CI machine: builds VMC and runs its real-component tests ({@code ./vmc test}). */
    DEV,
    /** Runs {@code ./vmc demo}: two simulated VMs and two engines on this machine. */
    DEMO;

    /** The role's name in the package list ({@code packages/debian.txt}). */
    public String listName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
