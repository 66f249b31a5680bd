#!/usr/bin/env python3
"""Sets a vivid camera's test pattern by name: vivid-pattern.py /dev/videoN "100% Red".

The control and its menu item are found by their names (VIDIOC_QUERYCTRL, VIDIOC_QUERYMENU), not by
driver-private ids. vivid keeps the value after the file is closed, for the next program to see."""
import fcntl
import struct
import sys

VIDIOC_QUERYCTRL = 0xC0445624  # _IOWR('V', 36, struct v4l2_queryctrl), 68 bytes
VIDIOC_QUERYMENU = 0xC02C5625  # _IOWR('V', 37, struct v4l2_querymenu), 44 bytes (packed)
VIDIOC_S_CTRL = 0xC008561C     # _IOWR('V', 28, struct v4l2_control)
NEXT_CTRL = 0x80000000
QUERYCTRL = "<II32siiiiI8s"


def text(b):
    return b.split(b"\0", 1)[0].decode()


def main(node, wanted):
    with open(node, "rb+", buffering=0) as f:
        cid = 0
        while True:
            buf = bytearray(struct.pack(QUERYCTRL, cid | NEXT_CTRL, 0, b"", 0, 0, 0, 0, 0, b""))
            try:
                fcntl.ioctl(f, VIDIOC_QUERYCTRL, buf)
            except OSError:
                sys.exit(node + ": no control named Test Pattern")
            cid, _, name, lo, hi = struct.unpack(QUERYCTRL, buf)[:5]
            if text(name) == "Test Pattern":
                break
        for i in range(lo, hi + 1):
            m = bytearray(struct.pack("<II32sI", cid, i, b"", 0))
            try:
                fcntl.ioctl(f, VIDIOC_QUERYMENU, m)
            except OSError:
                continue
            if text(struct.unpack("<II32sI", m)[2]) == wanted:
                fcntl.ioctl(f, VIDIOC_S_CTRL, bytearray(struct.pack("<Ii", cid, i)))
                print("PATTERN", node, i, wanted)
                return
        sys.exit(node + ": no test pattern named " + wanted)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
