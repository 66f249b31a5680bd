#!/bin/sh
# Screen-share sender CPU at 1920x1080 for docs/benchmarks.md, in alternating rounds:
#   the engine's screen pipeline (ScreenShareBench FPS SECONDS: picture copy, appsrc, videoconvert, VP8)
#   a bare gst-launch-1.0 ximagesrc ! videoconvert ! vp8enc (same encoder settings) of an Xvfb screen
#   showing the same page with the same changing block (ScreenShareBench desktop FPS).
# Usage (from the repository, after mvn -pl vmc-engine -am install -DskipTests and test-compile):
#   CP=CLASSPATH sh vmc-engine/src/test/bench/screen-share-cpu.sh FPS ROUNDS [SECONDS]
# CLASSPATH: vmc-engine/target/classes:vmc-engine/target/test-classes and the engine's test class path.
set -eu
fps=$1 rounds=$2 seconds=${3:-10}
warm=3
dpy=:${BENCH_DISPLAY:-47}
Xvfb "$dpy" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!
sleep 2
DISPLAY=$dpy java -cp "$CP" io.vmc.engine.ScreenShareBench desktop "$fps" >/dev/null 2>&1 & desk=$!
trap 'kill $desk $xvfb 2>/dev/null; wait' EXIT
sleep 5
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
i=0
while [ $i -lt "$rounds" ]; do
  java -cp "$CP" io.vmc.engine.ScreenShareBench "$fps" "$seconds" | sed "s/^/engine round $i: /"
  out=$(mktemp)
  gst-launch-1.0 -q ximagesrc display-name="$dpy" use-damage=false show-pointer=false \
    ! "video/x-raw,framerate=$fps/1" ! videoconvert ! video/x-raw,format=I420 \
    ! vp8enc deadline=1 cpu-used=8 error-resilient=partitions lag-in-frames=0 end-usage=cbr \
      target-bitrate=2500000 keyframe-max-dist=$((2 * fps)) \
    ! rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit ! filesink location="$out" & gst=$!
  sleep $warm
  kill -0 $gst 2>/dev/null || { echo "gst-launch-1.0 ended (no display $dpy?)" >&2; exit 1; }
  t0=$(ticks $gst) b0=$(stat -c %s "$out")
  sleep "$seconds"
  t1=$(ticks $gst) b1=$(stat -c %s "$out")
  kill $gst; wait $gst 2>/dev/null || true
  rm -f "$out"
  awk -v t=$((t1 - t0)) -v hz="$hz" -v s="$seconds" -v b=$((b1 - b0)) -v i=$i -v f="$fps" \
    'BEGIN { printf "gst-launch round %d: fps=%d cpu=%.1f%% kbps=%.0f\n", i, f, t * 100 / hz / s, b * 8 / s / 1000 }'
  i=$((i + 1))
done
