/** Geometry mapping, rate limiting and the GStreamer sink bin. Not API. */
package io.vmc.overlay.internal;
