#!/usr/bin/python3
"""A second WebRTC implementation nobody here wrote, GStreamer's webrtcbin, as a test peer.

It speaks the same line protocol as driver.js (so the Java side drives both alike): one JSON
request per line on stdin, {"id": 1, "call": "offer", "args": [{...}]}, one reply per line on
stdout, {"id": 1, "result": ...} or {"id": 1, "error": "..."}; the first line is {"ready": ...}.
It sends a sine tone and a solid colour (both given on the command line) and reads back what it
receives: the dominant frequency of the decoded audio (FFT over the last second) and the mean
colour of the middle of the decoded video. End of stdin ends it.

    webrtcbin_peer.py --tone HZ --colour RRGGBB
"""
import argparse
import json
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402
import numpy  # noqa: E402

RATE = 48000
# What a caller may send us: each request is one line, and an SDP is well under this.
MAX_LINE = 256 * 1024
WIDTH, HEIGHT = 64, 48

SEND = """
webrtcbin name=pc bundle-policy=max-bundle
audiotestsrc is-live=true wave=sine freq={tone} volume=0.5 ! audioconvert ! audioresample
  ! audio/x-raw,rate=48000,channels=1 ! opusenc ! rtpopuspay pt=111
  ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! pc.
videotestsrc is-live=true pattern=solid-color foreground-color={argb}
  ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert
  ! vp8enc deadline=1 cpu-used=8 keyframe-max-dist=30 ! rtpvp8pay pt=96
  ! application/x-rtp,media=video,encoding-name=VP8,payload=96 ! pc.
"""


def promise(then, extract=lambda reply: None, fail=None):
    """A promise: extract(reply structure) runs on webrtcbin's thread, then(result) on the main loop.

    The reply lives only as long as webrtcbin's callback (PyGObject holds no reference to it), and
    a further call into webrtcbin from that thread never completes: so what is needed is taken out
    there as plain data, and the next step runs on the main loop. PyGObject drops a callback's
    exceptions; here they go to stderr, and to fail(message) when given (webrtcbin's own errors
    come as a reply without the expected field).
    """
    def report(step, *args):
        try:
            return step(*args)
        except Exception as e:  # noqa: BLE001 - reported, the peer keeps running
            sys.stderr.write("webrtcbin peer: %s: %s\n" % (type(e).__name__, e))
            return None

    def changed(p, _user_data):
        reply = p.get_reply()
        try:
            result = extract(reply)
        except Exception as e:  # noqa: BLE001 - the caller hears of it
            message = "%s: %s (webrtcbin replied %s)" % (type(e).__name__, e, reply and reply.to_string())
            sys.stderr.write("webrtcbin peer: %s\n" % message)
            if fail is not None:
                GLib.idle_add(lambda: fail(message) and False)
            return
        GLib.idle_add(lambda: report(then, result) and False)

    return Gst.Promise.new_with_change_func(changed, None)


def description(kind, text):
    ok, message = GstSdp.SDPMessage.new_from_text(text)
    if ok != GstSdp.SDPResult.OK:
        raise ValueError("webrtcbin could not parse the SDP")
    return GstWebRTC.WebRTCSessionDescription.new(kind, message)


class Peer:
    def __init__(self, tone, colour):
        self.pipeline = Gst.parse_launch(SEND.format(tone=tone, argb="0xff" + colour))
        self.pc = self.pipeline.get_by_name("pc")
        self.candidates = []
        self.audio = numpy.zeros(0, dtype=numpy.int16)
        self.audio_lock = threading.Lock()
        self.frame = None
        self.pc.connect("on-ice-candidate", self._on_candidate)
        self.pc.connect("notify::ice-gathering-state", self._on_gathering)
        self.pc.connect("pad-added", self._on_pad)
        self.gathered = []  # callbacks waiting for complete gathering
        self.pipeline.set_state(Gst.State.PLAYING)

    # --- signalling -------------------------------------------------------------------------

    def offer(self, reply, opts):
        self.pc.emit("create-offer", None, promise(
            lambda text: self._set_local(GstWebRTC.WebRTCSDPType.OFFER, text, reply, opts),
            lambda r: r.get_value("offer").sdp.as_text(), reply.fail))

    def answer(self, reply, sdp, opts):
        def create_answer(_):
            self.pc.emit("create-answer", None, promise(
                lambda text: self._set_local(GstWebRTC.WebRTCSDPType.ANSWER, text, reply, opts),
                lambda r: r.get_value("answer").sdp.as_text(), reply.fail))
        self.pc.emit("set-remote-description", description(GstWebRTC.WebRTCSDPType.OFFER, sdp),
                     promise(create_answer))

    def accept(self, reply, sdp):
        self.pc.emit("set-remote-description", description(GstWebRTC.WebRTCSDPType.ANSWER, sdp),
                     promise(lambda _: reply("stable")))

    def add_candidate(self, reply, c):
        if c and c.get("candidate"):
            self.pc.emit("add-ice-candidate", c.get("sdpMLineIndex") or 0, c["candidate"])
        reply(True)

    def take_candidates(self, reply):
        taken, self.candidates = self.candidates, []
        reply(taken)

    def _set_local(self, kind, text, reply, opts):
        def done(_):
            local = lambda: self.pc.get_property("local-description").sdp.as_text()
            if opts.get("gather", True):
                self._when_gathered(lambda: reply(local()))
            else:
                reply(local())
        self.pc.emit("set-local-description", description(kind, text), promise(done))

    def _on_candidate(self, _pc, mline, candidate):
        self.candidates.append({"candidate": candidate, "sdpMid": None, "sdpMLineIndex": mline})

    def _on_gathering(self, *_):
        if self.pc.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            waiting, self.gathered = self.gathered, []
            for w in waiting:
                GLib.idle_add(w)

    def _when_gathered(self, then):
        if self.pc.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            then()
        else:
            self.gathered.append(then)

    # --- what we receive ---------------------------------------------------------------------

    def _on_pad(self, _pc, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        decode = Gst.ElementFactory.make("decodebin")
        decode.connect("pad-added", self._on_decoded)
        self.pipeline.add(decode)
        decode.sync_state_with_parent()
        pad.link(decode.get_static_pad("sink"))

    def _on_decoded(self, _decodebin, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        name = caps.get_structure(0).get_name()
        if name.startswith("audio/"):
            chain = ("audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=1 "
                     "! appsink name=sink emit-signals=true sync=false")
            on_sample = self._on_audio
        elif name.startswith("video/"):
            chain = ("videoconvert ! videoscale ! video/x-raw,format=RGB,width=%d,height=%d "
                     "! appsink name=sink emit-signals=true sync=false max-buffers=1 drop=true" % (WIDTH, HEIGHT))
            on_sample = self._on_video
        else:
            return
        tail = Gst.parse_bin_from_description(chain, True)
        tail.get_by_name("sink").connect("new-sample", on_sample)
        self.pipeline.add(tail)
        tail.sync_state_with_parent()
        pad.link(tail.get_static_pad("sink"))

    def _on_audio(self, sink):
        buf = sink.emit("pull-sample").get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            samples = numpy.frombuffer(info.data, dtype=numpy.int16).copy()
            buf.unmap(info)
            with self.audio_lock:
                self.audio = numpy.concatenate((self.audio, samples))[-RATE:]
        return Gst.FlowReturn.OK

    def _on_video(self, sink):
        buf = sink.emit("pull-sample").get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            self.frame = numpy.frombuffer(info.data, dtype=numpy.uint8).copy()
            buf.unmap(info)
        return Gst.FlowReturn.OK

    def hearing(self, reply):
        with self.audio_lock:
            samples = self.audio.astype(numpy.float64)
        if len(samples) < RATE // 2:
            reply({"hz": 0, "db": None})
            return
        spectrum = numpy.abs(numpy.fft.rfft(samples * numpy.hanning(len(samples))))
        best = int(numpy.argmax(spectrum[1:])) + 1
        peak = 20 * numpy.log10(spectrum[best] / (len(samples) * 32768 / 4) + 1e-12)
        reply({"hz": best * RATE / len(samples), "db": float(peak)})

    def seeing(self, reply):
        if self.frame is None:
            reply({"r": -1, "g": -1, "b": -1, "width": 0, "height": 0})
            return
        rows = self.frame[: WIDTH * HEIGHT * 3].reshape(HEIGHT, WIDTH, 3)  # no padding: 64*3 is 4-aligned
        middle = rows[12:36, 16:48].reshape(-1, 3).mean(axis=0)
        reply({"r": int(middle[0]), "g": int(middle[1]), "b": int(middle[2]), "width": WIDTH, "height": HEIGHT})

    def stats(self, reply):
        def streams(report):
            out = {"inbound": {}, "outbound": {}}

            def each(_field, value):
                if isinstance(value, Gst.Structure) and value.has_field("type") \
                        and value.has_field("gst-rtpsource-stats"):
                    t = value.get_value("type").value_nick
                    # webrtcbin 1.22 labels every stream of a BUNDLE group with one kind: tell
                    # them apart by their RTP clock rate (Opus 48 kHz, video 90 kHz).
                    rate = value.get_value("gst-rtpsource-stats").get_value("clock-rate")
                    kind = "video" if rate == 90000 else "audio"
                    if t == "inbound-rtp":
                        n = out["inbound"].setdefault(kind, {"packetsReceived": 0})
                        n["packetsReceived"] += value.get_value("packets-received")
                    elif t == "outbound-rtp":
                        n = out["outbound"].setdefault(kind, {"packetsSent": 0})
                        n["packetsSent"] += value.get_value("packets-sent")
                return True
            report.foreach(each)
            return out

        def answer(out):
            out.update({"connectionState": self.pc.get_property("connection-state").value_nick,
                        "iceConnectionState": self.pc.get_property("ice-connection-state").value_nick,
                        "transports": self._transports(), "pair": None})
            reply(out)
        self.pc.emit("get-stats", None, promise(answer, streams))

    def _transports(self):
        seen = []
        for i in range(8):
            t = self.pc.emit("get-transceiver", i)
            if t is None:
                break
            transport = t.get_property("sender").get_property("transport")
            if transport is not None and transport not in [x for x, _ in seen]:
                seen.append((transport, transport.get_property("state").value_nick))
        return [{"dtlsState": state} for _, state in seen]

    def close(self):
        self.pipeline.set_state(Gst.State.NULL)


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--tone", type=float, required=True)
    args.add_argument("--colour", required=True, help="RRGGBB")
    o = args.parse_args()
    Gst.init(None)
    loop = GLib.MainLoop()
    peer = Peer(o.tone, o.colour)
    out_lock = threading.Lock()

    def send(message):
        with out_lock:
            sys.stdout.write(json.dumps(message) + "\n")
            sys.stdout.flush()

    calls = {
        "start": lambda reply, *a: reply({"tracks": ["audio:audiotestsrc", "video:videotestsrc"]}),
        "offer": lambda reply, opts={}: peer.offer(reply, opts),
        "answer": lambda reply, sdp, opts={}: peer.answer(reply, sdp, opts),
        "accept": peer.accept,
        "addCandidate": peer.add_candidate,
        "takeCandidates": peer.take_candidates,
        "hearing": peer.hearing,
        "seeing": peer.seeing,
        "stats": peer.stats,
    }

    def handle(request):
        rid = request.get("id")
        def reply(result):
            send({"id": rid, "result": result})
        reply.fail = lambda message: send({"id": rid, "error": message})
        try:
            call = calls.get(request.get("call"))
            if call is None:
                raise ValueError("unknown call %r" % request.get("call"))
            call(reply, *request.get("args", []))
        except Exception as e:  # the caller sees the error; this peer keeps running
            send({"id": rid, "error": "%s: %s" % (type(e).__name__, e)})
        return False

    def read():
        for line in sys.stdin:
            if len(line) > MAX_LINE:
                send({"id": None, "error": "request of %d bytes exceeds %d" % (len(line), MAX_LINE)})
                continue
            try:
                request = json.loads(line)
            except ValueError as e:
                send({"id": None, "error": "not JSON: %s" % e})
                continue
            GLib.idle_add(handle, request)
        GLib.idle_add(loop.quit)

    threading.Thread(target=read, daemon=True).start()
    send({"ready": True, "version": "webrtcbin " + Gst.version_string()})
    try:
        loop.run()
    finally:
        peer.close()


if __name__ == "__main__":
    main()
