/**
 * The VMC agent API: what a softphone links to put its calls' media on the thin client.
 *
 * <pre>{@code
 * try (Vmc vmc = Vmc.connect()) {
 *     MediaSession call = vmc.newSession(SessionOptions.audioOnly());
 *     String offer = call.createOffer();
 *     call.setRemoteDescription(SdpType.ANSWER, answerSdp);
 *     call.sendDtmf("123#");
 * }
 * }</pre>
 *
 * <p>Shaped like WebRTC's offer/answer (RFC 3264, RFC 8829); see the module README and
 * {@code ARCHITECTURE.md} section 5. This is the only public package of {@code vmc-agent};
 * {@code io.vmc.agent.internal} and {@code io.vmc.agent.daemon} may change at any time.
 */
package io.vmc.agent.api;
