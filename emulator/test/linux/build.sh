#!/usr/bin/env bash
# Builds what linux-boot.test.ts boots: Linux 6.1 from Debian's linux-source-6.1 (a
# tinyconfig with kernel.config merged over it) and an ext2 root disk holding init.c.
#
#   bash emulator/test/linux/build.sh        (scripts/run-tests.mjs runs it before the tests)
#
# Output, ignored by git: emulator/test/guests/build/linux/{Image,vmlinux,rootfs.img,KEY}. KEY is a
# hash of every input (this script, kernel.config, init.c, the tarball's package version,
# the tools' versions); when it matches, nothing is done. The unpacked tree and the kernel's
# objects are deleted after a build (1.5 GB); LINUX_KEEP_TREE=1 keeps them for rebuilds.
#
# The compiler is Debian's riscv64-unknown-elf-gcc (the kernel needs no libc). Its linker
# cannot link shared objects (binutils enables -shared only for Linux targets) and the
# kernel's vDSO is one, so the kernel is linked with binutils-riscv64-linux-gnu's ld.
# Missing inputs are not an error: the script says what to install and the test skips.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
OUT="$ROOT/emulator/test/guests/build/linux"
TARBALL=/usr/src/linux-source-6.1.tar.xz
CROSS=riscv64-unknown-elf-
KLD=riscv64-linux-gnu-ld

missing=()
[[ -f "$TARBALL" ]] || missing+=("$TARBALL (package linux-source-6.1)")
command -v "${CROSS}gcc" >/dev/null || missing+=("${CROSS}gcc (package gcc-riscv64-unknown-elf)")
command -v "$KLD" >/dev/null || missing+=("$KLD (package binutils-riscv64-linux-gnu)")
command -v flex >/dev/null || missing+=("flex (package flex)")
command -v bison >/dev/null || missing+=("bison (package bison)")
command -v bc >/dev/null || missing+=("bc (package bc)")
command -v mke2fs >/dev/null || [[ -x /sbin/mke2fs ]] || missing+=("mke2fs (package e2fsprogs)")
if ((${#missing[@]} > 0)); then
  list="$(printf '%s, ' "${missing[@]}")"
  echo "linux: not built, missing: ${list%, }"
  rm -f "$OUT/KEY"
  exit 0
fi
PATH="$PATH:/sbin:/usr/sbin"

# (sed -n 1p, not head -1: head would leave early and, under pipefail, fail the pipe.)
key="$( {
  cat "$HERE/build.sh" "$HERE/kernel.config" "$HERE/init.c"
  dpkg-query -W -f='${Version}\n' linux-source-6.1 2>/dev/null || stat -c '%s %Y' "$TARBALL"
  "${CROSS}gcc" --version | sed -n 1p
  "$KLD" --version | sed -n 1p
  mke2fs -V 2>&1 | sed -n 1p
} | sha256sum | cut -c1-16)"
if [[ -f "$OUT/KEY" && "$(cat "$OUT/KEY")" == "$key" && -f "$OUT/Image" && -f "$OUT/vmlinux" && -f "$OUT/rootfs.img" ]]; then
  echo "linux: up to date ($key)"
  exit 0
fi
rm -f "$OUT/KEY"
mkdir -p "$OUT"
started=$SECONDS

# The source without what a riscv build never reads (the documentation, other
# architectures' device trees); Kconfig files everywhere are kept, kconfig reads them all.
SRC="$OUT/src"
OBJ="$OUT/obj"
if [[ ! -f "$SRC/.unpacked" ]]; then
  rm -rf "$SRC"
  mkdir -p "$SRC"
  echo "linux: unpacking $TARBALL"
  nice tar -xJf "$TARBALL" -C "$SRC" --strip-components=1 \
    --exclude='linux-source-6.1/Documentation/[!K]*' --exclude='linux-source-6.1/arch/*/boot/dts'
  touch "$SRC/.unpacked"
fi

kmake=(nice make -s -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE="$CROSS" LD="$KLD")
mkdir -p "$OBJ"
"${kmake[@]}" tinyconfig >/dev/null
# -m: merge only; olddefconfig then settles every dependency.
(cd "$OBJ" && nice "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$HERE/kernel.config" >/dev/null)
"${kmake[@]}" olddefconfig >/dev/null
# Every option the fragment asks for must have survived olddefconfig.
bad=0
while IFS= read -r line; do
  [[ "$line" =~ ^CONFIG_|^#\ CONFIG_.*\ is\ not\ set$ ]] || continue
  grep -qxF "$line" "$OBJ/.config" || { echo "linux: kernel.config asks for '$line', olddefconfig did not keep it"; bad=1; }
done <"$HERE/kernel.config"
((bad == 0)) || exit 1

echo "linux: building the kernel (make -j2)"
"${kmake[@]}" -j2 Image
cp "$OBJ/arch/riscv/boot/Image" "$OUT/Image"
# The ELF with its DWARF 5, for the debugger's tests (launch.json `symbols`).
cp "$OBJ/vmlinux" "$OUT/vmlinux"

# The root disk: /sbin/init (the kernel's first choice without an initramfs), a file
# for it to read, /dev for devtmpfs to mount on.
ROOTDIR="$OUT/rootfs"
rm -rf "$ROOTDIR"
mkdir -p "$ROOTDIR/dev" "$ROOTDIR/sbin"
"${CROSS}gcc" -march=rv64imac -mabi=lp64 -mno-relax -O2 -Wall -Wextra -Werror -ffreestanding \
  -fno-builtin -nostdlib -static -Wl,--build-id=none -Wl,--no-relax -o "$ROOTDIR/sbin/init" "$HERE/init.c"
echo "hello from the ext2 root disk" >"$ROOTDIR/hello.txt"
rm -f "$OUT/rootfs.img"
mke2fs -q -t ext2 -E root_owner=0:0 -d "$ROOTDIR" "$OUT/rootfs.img" 2M >/dev/null
rm -rf "$ROOTDIR"

if [[ "${LINUX_KEEP_TREE:-}" != 1 ]]; then rm -rf "$SRC" "$OBJ"; fi
echo "$key" >"$OUT/KEY"
echo "linux: built in $((SECONDS - started)) s ($key)"
