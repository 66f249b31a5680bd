/**
 * SDP model, parser and generator: RFC 8866 syntax, RFC 3264 offer/answer attributes, ICE
 * attributes (RFC 8839) and SDES keys (RFC 4568). The parser takes input from the guest and the
 * network: every limit is a named constant in {@link io.vmc.engine.sdp.SdpParser}, addresses are
 * accepted only as IP literals (never resolved), and errors name the line.
 */
package io.vmc.engine.sdp;
