/**
 * agentd's web API: the vmc.v1 requests, responses and events in protobuf's JSON mapping over a
 * WebSocket on loopback, for web pages (through the VMC browser extension), Electron apps and
 * clients in any language (docs/web-api.md).
 *
 * <p>Pieces: {@link io.vmc.agent.web.WebApiServer} listens on agentd's I/O threads and runs
 * {@link io.vmc.agent.web.HandshakeGate} on each upgrade request (Origin allow-list, Host, the
 * per-user secret of {@link io.vmc.agent.web.WebSecrets}); an accepted connection becomes a
 * {@link io.vmc.agent.web.WebApiConnection}, one more {@link io.vmc.agent.daemon.AppPeer} of
 * {@link io.vmc.agent.daemon.AgentCore}, whose user is the one whose secret it presented;
 * {@link io.vmc.agent.web.JsonFrames} maps text messages to {@code Envelope}s and back.
 * {@link io.vmc.agent.web.SecretFiles} and {@link io.vmc.agent.web.NativeHost} run in the user's
 * processes ({@code vmc agentd web-secret}, the browser's native messaging host), never in agentd.
 *
 * <p>Nothing here is loaded unless the web API is enabled. Threads: the handshake and every frame
 * are handled on the connection's event loop (shared with the unix socket's connections); replies
 * and events are serialized there too. Not API.
 */
package io.vmc.agent.web;
