package io.vmc.it.doctor;

/** What the machine is for; each role needs a different set of checks to pass. */
public enum Role {
    /** Thin client: runs the engine beside spice-gtk. */
    CLIENT,
    /** Guest VM: runs vmc-agentd on the virtio port. */
    GUEST,
    /** Developer or CI machine: builds VMC and runs its real-component tests. */
    DEV
}
