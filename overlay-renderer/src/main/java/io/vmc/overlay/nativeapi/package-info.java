/**
 * Raw JNA bindings with C names ({@link io.vmc.overlay.nativeapi.Xlib},
 * {@link io.vmc.overlay.nativeapi.XShape}, {@link io.vmc.overlay.nativeapi.LibC}, a GstEvent field read in
 * {@link io.vmc.overlay.nativeapi.GstEvents}) and their
 * Java-named wrappers ({@link io.vmc.overlay.nativeapi.X11}, {@link io.vmc.overlay.nativeapi.XDisplay},
 * {@link io.vmc.overlay.nativeapi.WakePipe}). Not API. Specs: Xlib - C Language X Interface
 * (https://www.x.org/releases/current/doc/libX11/libX11/libX11.html) and the X Nonrectangular
 * Window Shape Extension (https://www.x.org/releases/current/doc/xextproto/shape.html).
 */
package io.vmc.overlay.nativeapi;
