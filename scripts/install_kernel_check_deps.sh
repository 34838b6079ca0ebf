#!/bin/sh
# Install what `deno task cli kernel-check` needs on Debian 12 (run as root; only apt is needed):
# QEMU, a static busybox, gcc with glibc's static libc, cpio (for inspecting initramfs archives),
# and Debian's 6.1 kernel package, fetched into the kernel-check cache with `apt-get download`
# (the package is not installed on the host).
#
# Idempotent: when everything is there it runs no apt command and returns in well under a second.
# Environment: ZSWAPBENCH_KERNEL_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/zswapbench/kernel)
# is where the kernel goes; ZSWAPBENCH_SKIP_KERNEL=1 skips the kernel download.
set -eu

PKGS="qemu-system-x86 busybox-static gcc libc6-dev cpio"
CACHE="${ZSWAPBENCH_KERNEL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/zswapbench/kernel}"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

# A Debian 6.1 kernel already extracted by the tool (kernel/debian_kernel.ts marks it complete).
have_kernel=no
for m in "$CACHE"/debian/*/.zswapbench-complete.json; do
  [ -f "$m" ] && grep -q '"linux-image-6\.1\.0-' "$m" && have_kernel=yes
done
[ "${ZSWAPBENCH_SKIP_KERNEL:-0}" = 1 ] && have_kernel=yes

if [ -z "$missing" ] && [ "$have_kernel" = yes ]; then
  echo "kernel-check dependencies: all present"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "install_kernel_check_deps.sh: run as root (missing:${missing:- the kernel package})" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ -n "$missing" ]; then
  echo "installing:$missing"
  # Without recommends: QEMU's GUI and firmware extras are not needed for -nographic.
  apt-get install -y -qq --no-install-recommends $missing
fi

if [ "$have_kernel" = no ]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)
  if [ -z "$pkg" ]; then
    pkg=$(apt-cache pkgnames linux-image-6.1.0- | grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' |
      sort -t- -k4,4n | tail -n 1)
  fi
  if [ -z "$pkg" ]; then
    echo "install_kernel_check_deps.sh: apt offers no linux-image-6.1.0-*-amd64 (is this Debian 12?)" >&2
    exit 1
  fi
  mkdir -p "$CACHE/debian"
  tmp=$(mktemp -d "$CACHE/debian/.fetch-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get download -qq "$pkg")
  deb=$(ls "$tmp"/*.deb)
  ver=$(dpkg-deb -f "$deb" Version)
  mkdir "$tmp/root"
  # The same subset kernel/debian_kernel.ts keeps: the bzImage, its config and the modules zswap
  # and the virtio disks need. tar exits 2 when a pattern matches nothing; what exists is checked.
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/root" --wildcards \
    './boot/vmlinuz-*' './boot/config-*' \
    './lib/modules/*/modules.builtin' './lib/modules/*/modules.order' \
    './lib/modules/*/kernel/mm/*' './lib/modules/*/kernel/crypto/*' './lib/modules/*/kernel/lib/*' \
    './lib/modules/*/kernel/arch/x86/crypto/*' './lib/modules/*/kernel/drivers/virtio/*' \
    './lib/modules/*/kernel/drivers/block/virtio_blk.ko*' || [ $? = 2 ]
  ls "$tmp"/root/boot/vmlinuz-* > /dev/null
  printf '{"package":"%s","version":"%s"}\n' "$pkg" "$ver" > "$tmp/root/.zswapbench-complete.json"
  rm -rf "$CACHE/debian/${pkg}_$ver"
  mv "$tmp/root" "$CACHE/debian/${pkg}_$ver"
  echo "kernel: $pkg $ver in $CACHE/debian"
fi
echo "kernel-check dependencies: installed"
