#!/bin/busybox sh
# zswapbench kernel-check guest init (template: kernel/initramfs.ts fills in @MODULES@).
# Cell parameters come from the kernel command line: zsb.zpool=, zsb.compressor=, zsb.pages=.
# Every result line starts with "ZSWAPBENCH " and holds one JSON object (kernel/console.ts).
/bin/busybox --install -s /bin
export PATH=/bin

say() { echo "ZSWAPBENCH $1"; }
fail() {
  say "{\"kind\":\"error\",\"message\":\"$1\"}"
  poweroff -f
  sleep 5
}

mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug || fail "cannot mount debugfs (CONFIG_DEBUG_FS)"
mount -t cgroup2 cgroup2 /sys/fs/cgroup || fail "cannot mount cgroup2"
# The kprobe on the allocator call that gives each page's length (pagefeed); optional.
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

for m in @MODULES@; do
  insmod "/lib/modules/$m" || fail "insmod $m failed"
done

ZPOOL=
COMPRESSOR=
PAGES=
for w in $(cat /proc/cmdline); do
  case "$w" in
  zsb.zpool=*) ZPOOL="${w#*=}" ;;
  zsb.compressor=*) COMPRESSOR="${w#*=}" ;;
  zsb.pages=*) PAGES="${w#*=}" ;;
  esac
done
[ -n "$ZPOOL" ] && [ -n "$COMPRESSOR" ] && [ -n "$PAGES" ] || fail "zsb.zpool, zsb.compressor or zsb.pages missing from the command line"

Z=/sys/module/zswap/parameters
[ -d $Z ] || fail "no $Z (CONFIG_ZSWAP)"
echo "$COMPRESSOR" > $Z/compressor 2>/dev/null
[ "$(cat $Z/compressor)" = "$COMPRESSOR" ] || fail "compressor $COMPRESSOR not accepted (kernel kept $(cat $Z/compressor))"
if [ -e $Z/zpool ]; then
  echo "$ZPOOL" > $Z/zpool 2>/dev/null
  [ "$(cat $Z/zpool)" = "$ZPOOL" ] || fail "zpool $ZPOOL not accepted (kernel kept $(cat $Z/zpool))"
  ACTIVE_ZPOOL="$(cat $Z/zpool)"
else
  # No zpool parameter (zsmalloc is the only allocator since 6.15).
  [ "$ZPOOL" = zsmalloc ] || fail "this kernel has no zpool parameter: only zsmalloc can be checked"
  ACTIVE_ZPOOL=zsmalloc
fi
echo 1 > $Z/enabled

PAGEDEV=
SWAPDEV=
TRACEDEV=
for d in /sys/block/*; do
  s="$(cat "$d/serial" 2>/dev/null)"
  [ "$s" = zsbpages ] && PAGEDEV="/dev/${d##*/}"
  [ "$s" = zsbswap ] && SWAPDEV="/dev/${d##*/}"
  [ "$s" = zsbtrace ] && TRACEDEV="/dev/${d##*/}"
done
[ -n "$PAGEDEV" ] || fail "page disk (serial zsbpages) not found: virtio_pci and virtio_blk must be built in or given with --modules"
[ -n "$SWAPDEV" ] || fail "swap disk (serial zsbswap) not found"
mkswap "$SWAPDEV" > /dev/null || fail "mkswap $SWAPDEV failed"
swapon "$SWAPDEV" || fail "swapon $SWAPDEV failed"
# One page per swap-in: no readahead of neighbours during the read-back.
echo 0 > /proc/sys/vm/page-cluster

echo +memory > /sys/fs/cgroup/cgroup.subtree_control || fail "no memory controller in cgroup2"
mkdir /sys/fs/cgroup/zsb || fail "cannot create a cgroup"

say "{\"kind\":\"boot\",\"kernel\":\"$(uname -r)\",\"zpool\":\"$ACTIVE_ZPOOL\",\"compressor\":\"$(cat $Z/compressor)\",\"max_pool_percent\":$(cat $Z/max_pool_percent),\"same_filled_pages_enabled\":\"$(cat $Z/same_filled_pages_enabled 2>/dev/null)\",\"mem_total_kb\":$(awk '/^MemTotal/ {print $2}' /proc/meminfo)}"
# Only emergencies on the console while measuring, so no kernel line splits a record.
echo 1 > /proc/sys/kernel/printk
if [ -n "$TRACEDEV" ]; then
  # A trace disk: replay it op by op (kernel/tracefeed.c) instead of paging the pages out.
  /tracefeed "$PAGEDEV" "$TRACEDEV" "${SWAPDEV##*/}" /sys/fs/cgroup/zsb || fail "tracefeed exited with status $?"
else
  /pagefeed "$PAGEDEV" "$PAGES" /sys/fs/cgroup/zsb || fail "pagefeed exited with status $?"
fi
say "{\"kind\":\"done\"}"
poweroff -f
sleep 5
