/**
 * {@code vmc bench stun}: fake-stun against coturn's stun-only mode with one closed-loop UDP load
 * generator on loopback. Not API.
 */
package io.vmc.stun.bench;
