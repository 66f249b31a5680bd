/**
 * fake-stun: a STUN server (<a href="https://www.rfc-editor.org/rfc/rfc8489">RFC 8489</a> Binding, on
 * UDP and TCP, RFC 3489 clients included) for the guest network, that tells softphones the thin
 * client's address by {@link io.vmc.stun.TranslationTable translation rules} and behaves as an ordinary
 * STUN server for everything else.
 *
 * <p>API: {@link io.vmc.stun.StunServer} (builder, start, close), {@link io.vmc.stun.TranslationTable}
 * (file rules and dynamic rules pushed by agentd), {@link io.vmc.stun.Rule}, and
 * {@link io.vmc.stun.StunCommand} ({@code vmc stun}).
 *
 * <p>Threads: requests are answered on netty event loop threads, which read the table's current rule
 * snapshot; any thread may change the table; the rule file is watched on its own daemon thread.
 */
package io.vmc.stun;
