package io.vmc.overlay.nativeapi;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;

/** Raw SHAPE extension binding from libXext ({@code <X11/extensions/shape.h>}). */
public interface XShape extends Library {

    XShape INSTANCE = Native.load("Xext", XShape.class);

    int ShapeSet = 0;
    int ShapeBounding = 0;
    int ShapeClip = 1;
    int ShapeInput = 2;
    int Unsorted = 0;
    int YXBanded = 3;

    int XShapeQueryExtension(Pointer display, IntByReference eventBase, IntByReference errorBase);

    void XShapeCombineRectangles(Pointer display, NativeLong window, int destKind, int xOff, int yOff,
            XRectangle rectangles, int count, int op, int ordering);

    void XShapeCombineMask(Pointer display, NativeLong window, int destKind, int xOff, int yOff,
            NativeLong mask, int op);

    /** {@code XRectangle}: short x, y; unsigned short width, height. */
    @Structure.FieldOrder({"x", "y", "width", "height"})
    class XRectangle extends Structure {
        public short x;
        public short y;
        public short width;
        public short height;
    }
}
