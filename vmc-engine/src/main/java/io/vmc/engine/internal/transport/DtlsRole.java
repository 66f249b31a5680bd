package io.vmc.engine.internal.transport;

/** Which side of the DTLS handshake the engine takes; fixed by {@code a=setup} ({@link DtlsSetup}). */
public enum DtlsRole {
    /** Sends the ClientHello ({@code a=setup:active}). */
    CLIENT,
    /** Waits for the ClientHello ({@code a=setup:passive}). */
    SERVER
}
