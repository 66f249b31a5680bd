/**
 * Engine internals (not API): sessions, ICE on ice4j (RFC 8445, consent RFC 7675), the Java-owned
 * RTP session with SRTP on jitsi-srtp (RFC 3550, RFC 3711, RFC 4733) and the GStreamer pipelines.
 */
package io.vmc.engine.internal;
