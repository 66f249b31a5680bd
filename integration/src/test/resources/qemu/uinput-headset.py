#!/usr/bin/env python3
# A virtual USB headset and a virtual keyboard through /dev/uinput, for HeadsetButtonsGuestIT
# (runs in the test guest; needs the uinput module). Prints "CREATED headset inputN" and
# "CREATED keyboard inputM" (the sysfs names), then reads commands on stdin, one a line:
#   press headset|keyboard CODE   a press and a release of key CODE, each with its SYN_REPORT
#   unplug headset|keyboard       destroys that device
# and prints "PRESSED headset|keyboard CODE NS" (NS: CLOCK_REALTIME in ns just before the press was
# written) / "UNPLUGGED ..." after each, and "LED CODE VALUE" for every EV_LED the
# reader writes to the headset's node (the kernel hands it to the uinput device, as to a real one).
# The baseline for the reader's latency: a plain blocking read of the headset's event node on a
# thread here prints "RAW_US CODE US" for each press it sees (from the write to its read).
import fcntl, glob, os, select, struct, sys, threading, time

EV_SYN, EV_KEY, EV_LED = 0x00, 0x01, 0x11
LED_MUTE = 0x07
UI_DEV_CREATE = 0x5501
UI_DEV_DESTROY = 0x5502
UI_DEV_SETUP = 0x405C5503       # _IOW('U', 3, struct uinput_setup), 92 bytes
UI_SET_EVBIT = 0x40045564       # _IOW('U', 100, int)
UI_SET_KEYBIT = 0x40045565
UI_SET_LEDBIT = 0x40045569
UI_GET_SYSNAME_64 = 0x8040552C  # _IOC(_IOC_READ, 'U', 44, 64)
EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit Linux

KEY_A, KEY_Z = 30, 44
KEY_VOLUMEDOWN, KEY_VOLUMEUP, KEY_PHONE, KEY_MICMUTE = 114, 115, 169, 248
HEADSET_KEYS = [KEY_PHONE, KEY_MICMUTE, KEY_VOLUMEUP, KEY_VOLUMEDOWN]
# A keyboard with media keys: it has the headset's keys too, and letters, so it must not be read.
KEYBOARD_KEYS = list(range(KEY_A, KEY_Z + 1)) + HEADSET_KEYS


def create(name, product, keys, leds):
    fd = os.open("/dev/uinput", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, UI_SET_EVBIT, EV_KEY)
    for k in keys:
        fcntl.ioctl(fd, UI_SET_KEYBIT, k)
    if leds:
        fcntl.ioctl(fd, UI_SET_EVBIT, EV_LED)
        for led in leds:
            fcntl.ioctl(fd, UI_SET_LEDBIT, led)
    # struct uinput_setup: input_id (bustype BUS_USB, vendor, product, version), name[80], ff_effects_max
    setup = struct.pack("HHHH80sI", 0x03, 0x1209, product, 1, name.encode(), 0)
    fcntl.ioctl(fd, UI_DEV_SETUP, setup)
    fcntl.ioctl(fd, UI_DEV_CREATE)
    sysname = bytearray(64)
    fcntl.ioctl(fd, UI_GET_SYSNAME_64, sysname)
    return fd, sysname.split(b"\0", 1)[0].decode()


# Two threads print here (the commands' answers and the raw reader's RAW_US). print() with several
# arguments writes them piece by piece, so lines interleaved ("PRESSEDRAW_US 248 ..."): each line is
# one write under a lock.
say_lock = threading.Lock()


def say(*words):
    with say_lock:
        sys.stdout.write(" ".join(str(w) for w in words) + "\n")
        sys.stdout.flush()


def emit(fd, type_, code, value):
    os.write(fd, EVENT.pack(0, 0, type_, code, value))


def raw_reader(sysname, pressed_at):
    deadline = time.time() + 60
    while not glob.glob("/sys/class/input/%s/event*" % sysname) and time.time() < deadline:
        time.sleep(0.05)
    node = "/dev/input/" + os.path.basename(glob.glob("/sys/class/input/%s/event*" % sysname)[0])
    while not os.path.exists(node) and time.time() < deadline:
        time.sleep(0.05)
    fd = os.open(node, os.O_RDONLY)
    while True:
        data = os.read(fd, EVENT.size * 16)
        now = time.time_ns()
        for i in range(0, len(data) - EVENT.size + 1, EVENT.size):
            _, _, type_, code, value = EVENT.unpack_from(data, i)
            if type_ == EV_KEY and value == 1:
                say("RAW_US", code, (now - pressed_at[0]) // 1000)


pressed_at = [0]
devices = {}
for role, name, product, keys, leds in (("headset", "VMC Test Headset", 0x0001, HEADSET_KEYS, [LED_MUTE]),
                                         ("keyboard", "VMC Test Keyboard", 0x0002, KEYBOARD_KEYS, [])):
    fd, sysname = create(name, product, keys, leds)
    devices[role] = fd
    say("CREATED", role, sysname)
    if role == "headset":
        threading.Thread(target=raw_reader, args=(sysname, pressed_at), daemon=True).start()

while True:
    watched = [sys.stdin] + ([devices["headset"]] if "headset" in devices else [])
    readable, _, _ = select.select(watched, [], [])
    if "headset" in devices and devices["headset"] in readable:
        try:
            data = os.read(devices["headset"], EVENT.size * 16)
        except BlockingIOError:
            data = b""
        for i in range(0, len(data) - EVENT.size + 1, EVENT.size):
            _, _, type_, code, value = EVENT.unpack_from(data, i)
            if type_ == EV_LED:
                say("LED", code, value)
    if sys.stdin in readable:
        line = sys.stdin.readline()
        if not line:
            break
        words = line.split()
        if words[0] == "press":
            fd = devices[words[1]]
            at = time.time_ns()
            pressed_at[0] = at
            for value in (1, 0):
                emit(fd, EV_KEY, int(words[2]), value)
                emit(fd, EV_SYN, 0, 0)
            say("PRESSED", words[1], words[2], at)
        elif words[0] == "unplug":
            fcntl.ioctl(devices.pop(words[1]), UI_DEV_DESTROY)
            say("UNPLUGGED", words[1])
