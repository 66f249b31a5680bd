/**
 * Implementation of {@link io.vmc.transport}: codecs, the session state machine, transports.
 * Not API: may change without notice. Keep it out of the published javadoc.
 */
package io.vmc.transport.internal;
