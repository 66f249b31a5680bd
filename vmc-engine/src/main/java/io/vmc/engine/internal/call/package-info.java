/**
 * The call layer: what one offer/answer exchange decides, as pure functions of SDP text, so that
 * it is tested with SDP strings and no sockets or GStreamer. {@link io.vmc.engine.internal.call.BundleGroup}
 * reads {@code a=group:BUNDLE} (<a href="https://www.rfc-editor.org/rfc/rfc8843">RFC 8843</a>);
 * {@link io.vmc.engine.internal.call.DtlsTerms} reads {@code a=fingerprint} and {@code a=setup}
 * (<a href="https://www.rfc-editor.org/rfc/rfc8842">RFC 8842</a>). The call itself
 * ({@code io.vmc.engine.internal.Call}) composes them with the
 * ICE and DTLS transports.
 */
package io.vmc.engine.internal.call;
