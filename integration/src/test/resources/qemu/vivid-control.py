#!/usr/bin/env python3
"""Sets a vivid camera's control by name.

vivid-control.py /dev/videoN "Test Pattern" "100% Red"   chooses a menu item
vivid-control.py /dev/videoN "Disconnect"                 presses a button (vivid then unplugs the camera)

Controls and menu items are found by their names (VIDIOC_QUERYCTRL, VIDIOC_QUERYMENU), not by
driver-private ids. vivid keeps a value after the file is closed, for the next program to see."""
import fcntl
import struct
import sys

VIDIOC_QUERYCTRL = 0xC0445624  # _IOWR('V', 36, struct v4l2_queryctrl), 68 bytes
VIDIOC_QUERYMENU = 0xC02C5625  # _IOWR('V', 37, struct v4l2_querymenu), 44 bytes (packed)
VIDIOC_S_CTRL = 0xC008561C     # _IOWR('V', 28, struct v4l2_control)
NEXT_CTRL = 0x80000000
QUERYCTRL = "<II32siiiiI8s"
QUERYMENU = "<II32sI"


def text(b):
    return b.split(b"\0", 1)[0].decode()


def find(f, node, wanted):
    cid = 0
    while True:
        buf = bytearray(struct.pack(QUERYCTRL, cid | NEXT_CTRL, 0, b"", 0, 0, 0, 0, 0, b""))
        try:
            fcntl.ioctl(f, VIDIOC_QUERYCTRL, buf)
        except OSError:
            sys.exit(node + ": no control named " + wanted)
        cid, _, name, lo, hi = struct.unpack(QUERYCTRL, buf)[:5]
        if text(name) == wanted:
            return cid, lo, hi


def main(node, control, item=None):
    with open(node, "rb+", buffering=0) as f:
        cid, lo, hi = find(f, node, control)
        if item is None:
            fcntl.ioctl(f, VIDIOC_S_CTRL, bytearray(struct.pack("<Ii", cid, 1)))
            print("PRESSED", node, control, flush=True)
            return
        for i in range(lo, hi + 1):
            m = bytearray(struct.pack(QUERYMENU, cid, i, b"", 0))
            try:
                fcntl.ioctl(f, VIDIOC_QUERYMENU, m)
            except OSError:
                continue
            if text(struct.unpack(QUERYMENU, m)[2]) == item:
                fcntl.ioctl(f, VIDIOC_S_CTRL, bytearray(struct.pack("<Ii", cid, i)))
                print("SET", node, control, i, item, flush=True)
                return
        sys.exit(node + ": control " + control + " has no item " + item)


if __name__ == "__main__":
    main(*sys.argv[1:4])
