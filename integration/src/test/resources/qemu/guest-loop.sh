# The guest's command loop (POSIX sh, runs in the chroot over the host's root).
# Commands come one per line over the control virtio port "$1"; scripts, output and exit codes
# live in the shared directory, which the host sees as its own folder:
#   run N       runs jobs/N.sh with output to jobs/N.out, pid in jobs/N.pid, exit code in jobs/N.exit
#   kill N SIG  sends SIG to job N
D=/run/vmc-it
ctl=
for d in /sys/class/virtio-ports/*; do
  [ "$(cat "$d/name")" = "$1" ] && ctl=/dev/${d##*/}
done
[ -n "$ctl" ] || { echo "VMC-GUEST-FAILED: no control port $1"; exit 1; }
exec 3<>"$ctl"
echo ready >&3
while :; do
  while read -r cmd n arg <&3; do
    case $cmd in
      run)
        (
          sh "$D/jobs/$n.sh" >"$D/jobs/$n.out" 2>&1 </dev/null 3>&- &
          echo $! >"$D/jobs/$n.pid.tmp" && mv "$D/jobs/$n.pid.tmp" "$D/jobs/$n.pid"
          wait $!
          echo $? >"$D/jobs/$n.exit.tmp" && mv "$D/jobs/$n.exit.tmp" "$D/jobs/$n.exit"
        ) 3>&- &
        ;;
      kill)
        [ -e "$D/jobs/$n.pid" ] && kill "-$arg" "$(cat "$D/jobs/$n.pid")"
        ;;
    esac
  done
  # EOF: the host side of the control port went away; wait for it to come back.
  sleep 1
done
