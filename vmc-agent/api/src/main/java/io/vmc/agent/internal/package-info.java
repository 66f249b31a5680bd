/**
 * The client library's implementation: {@link io.vmc.agent.internal.AgentClient} (one transport
 * connection to vmc-agentd, one dispatcher thread) and the mapping between API types and vmc.v1.
 * Not API: may change at any time.
 */
package io.vmc.agent.internal;
