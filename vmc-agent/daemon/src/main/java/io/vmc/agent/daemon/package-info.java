/**
 * vmc-agentd. {@link io.vmc.agent.daemon.AgentDaemon} wires the transport (engine channel and app
 * socket) to {@link io.vmc.agent.daemon.AgentCore}, which owns sessions, mode and migration on
 * one thread. Threads: transport callback threads hand requests and events to the core's loop;
 * backend futures complete on transport or engine threads and hand back to the loop; app events
 * are sent with the transport's non-blocking {@code sendEvent}. Not API.
 */
package io.vmc.agent.daemon;
