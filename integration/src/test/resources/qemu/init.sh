#!/bin/busybox sh
# /init of the test guest's initramfs (built by io.vmc.it.qemu.Initramfs at test time).
# Mounts the host's root read-only over 9p, lays a tmpfs over it (overlayfs) so the guest can
# write anywhere without touching the host, mounts the fixture's shared directory and runs the
# fixture's command loop in a chroot, with the host's own JDK and tools.
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev
exec >/dev/console 2>&1 </dev/null
fail() { echo "VMC-GUEST-FAILED: $*"; $B poweroff -f; }
for m in @MODULES@; do
  $B insmod /lib/modules/$m || fail "insmod $m"
done
$B mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro hostroot /lower || fail "mount hostroot"
$B mount -t tmpfs -o mode=0755,size=@UPPER_MB@m upper /upper || fail "mount upper"
$B mkdir -p /upper/data /upper/work
$B mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work root /newroot || fail "mount overlay"
$B mount -t proc proc /newroot/proc
$B mount -t sysfs sys /newroot/sys
$B mount -t devtmpfs dev /newroot/dev
$B mount -t tmpfs -o mode=0755 run /newroot/run
$B mkdir -p /newroot/run/vmc-it
$B mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 vmcshared /newroot/run/vmc-it || fail "mount shared"
$B hostname vmc-guest
$B ip link set lo up || fail "loopback"
echo "VMC-GUEST-INIT-DONE"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
$B chroot /newroot /bin/sh /run/vmc-it/guest-loop.sh @CONTROL_PORT@
fail "command loop ended"
