#!/usr/bin/env bash
# Builds what the Linux tests boot: Linux 6.1 from Debian's linux-source-6.1 (a tinyconfig
# with kernel.config merged over it) and an ext2 root disk holding init.c.
#
#   bash emulator/test/linux/build.sh        (scripts/run-tests.mjs runs it before the tests)
#
# Output, ignored by git: emulator/test/guests/build/linux/{Image,vmlinux,rootfs.img,KEY,
# ROOTFS_KEY}, and gdb/ (Linux's own gdb scripts, scripts/gdb, for that kernel: GDB_KEY). KEY is a hash of the kernel's inputs (its step below, kernel.config, the
# tarball's package version, the tools' versions), ROOTFS_KEY of the disk's (its step,
# init.c, the compiler and mke2fs versions); what matches is not built again. The unpacked
# tree and the kernel's objects are deleted after a build (1.5 GB); LINUX_KEEP_TREE=1
# keeps them for rebuilds.
#
# The kernel's compiler is Debian's riscv64-unknown-elf-gcc (the kernel needs no libc). Its
# linker cannot link shared objects (binutils enables -shared only for Linux targets) and
# the kernel's vDSO is one, so the kernel is linked with binutils-riscv64-linux-gnu's ld.
# The init is a user program as anyone would build it: riscv64-linux-gnu-gcc with its
# defaults (rv64gc, lp64d), glibc, -static.
# Missing inputs are not an error: the script says what to install and the test skips.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
OUT="$ROOT/emulator/test/guests/build/linux"
TARBALL=/usr/src/linux-source-6.1.tar.xz
CROSS=riscv64-unknown-elf-
KLD=riscv64-linux-gnu-ld
UCC=riscv64-linux-gnu-gcc

missing=()
[[ -f "$TARBALL" ]] || missing+=("$TARBALL (package linux-source-6.1)")
command -v "${CROSS}gcc" >/dev/null || missing+=("${CROSS}gcc (package gcc-riscv64-unknown-elf)")
command -v "$KLD" >/dev/null || missing+=("$KLD (package binutils-riscv64-linux-gnu)")
command -v "$UCC" >/dev/null || missing+=("$UCC (package gcc-riscv64-linux-gnu)")
[[ -f /usr/riscv64-linux-gnu/lib/libc.a ]] || missing+=("glibc for riscv64 (package libc6-dev-riscv64-cross)")
command -v flex >/dev/null || missing+=("flex (package flex)")
command -v bison >/dev/null || missing+=("bison (package bison)")
command -v bc >/dev/null || missing+=("bc (package bc)")
command -v mke2fs >/dev/null || [[ -x /sbin/mke2fs ]] || missing+=("mke2fs (package e2fsprogs)")
if ((${#missing[@]} > 0)); then
  list="$(printf '%s, ' "${missing[@]}")"
  echo "linux: not built, missing: ${list%, }"
  rm -f "$OUT/KEY" "$OUT/ROOTFS_KEY"
  exit 0
fi
PATH="$PATH:/sbin:/usr/sbin"

mkdir -p "$OUT"

build_kernel() {
  rm -f "$OUT/KEY"
  local started=$SECONDS
  # The source without what a riscv build never reads (the documentation, other
  # architectures' device trees); Kconfig files everywhere are kept, kconfig reads them all.
  local SRC="$OUT/src" OBJ="$OUT/obj"
  if [[ ! -f "$SRC/.unpacked" ]]; then
    rm -rf "$SRC"
    mkdir -p "$SRC"
    echo "linux: unpacking $TARBALL"
    nice tar -xJf "$TARBALL" -C "$SRC" --strip-components=1 \
      --exclude='linux-source-6.1/Documentation/[!K]*' --exclude='linux-source-6.1/arch/*/boot/dts'
    touch "$SRC/.unpacked"
  fi

  # The build's date, user, host and count are fixed (the kernel's reproducible-build
  # variables), so the banner, and with it every instruction of a boot, is the same on every
  # machine: the tests that sample a boot (profile.test.ts) see the same run. Only the
  # build ID differs (a hash over the objects, whose debug info names the build's path).
  local kmake=(nice env KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026' KBUILD_BUILD_USER=osdev KBUILD_BUILD_HOST=osdev KBUILD_BUILD_VERSION=1
    make -s -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE="$CROSS" LD="$KLD")
  mkdir -p "$OBJ"
  "${kmake[@]}" tinyconfig >/dev/null
  # -m: merge only; olddefconfig then settles every dependency.
  (cd "$OBJ" && nice "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$HERE/kernel.config" >/dev/null)
  "${kmake[@]}" olddefconfig >/dev/null
  # Every option the fragment asks for must have survived olddefconfig.
  local bad=0 line
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

  if [[ "${LINUX_KEEP_TREE:-}" != 1 ]]; then rm -rf "$SRC" "$OBJ"; fi
  echo "$key" >"$OUT/KEY"
  echo "linux: kernel built in $((SECONDS - started)) s ($key)"
}

# The root disk: /sbin/init (the kernel's first choice without an initramfs), /bin/sh (for
# the screen's test), a file for init to read, /dev for devtmpfs to mount on, /proc for
# init to mount. Room to write files.
build_rootfs() {
  rm -f "$OUT/ROOTFS_KEY"
  local root="$OUT/rootfs"
  rm -rf "$root"
  mkdir -p "$root/dev" "$root/proc" "$root/sbin" "$root/bin"
  "$UCC" -static -O2 -Wall -Wextra -Werror -o "$root/sbin/init" "$HERE/init.c" -lm
  "$UCC" -static -O2 -Wall -Wextra -Werror -o "$root/bin/sh" "$HERE/sh.c"
  echo "hello from the ext2 root disk" >"$root/hello.txt"
  rm -f "$OUT/rootfs.img"
  # Fixed times, UUID and hash seed: the disk is the same wherever it is built, but for the
  # inodes' change times, which mke2fs copies from the files (no one can set those).
  find "$root" -exec touch -h -d @1767225600 {} +
  E2FSPROGS_FAKE_TIME=1767225600 mke2fs -q -t ext2 -U 6f736465-762d-656d-752d-726f6f746673 \
    -E root_owner=0:0,hash_seed=6f736465-762d-656d-752d-686173680000 -d "$root" "$OUT/rootfs.img" 8M >/dev/null
  rm -rf "$root"
  echo "$rootfs_key" >"$OUT/ROOTFS_KEY"
  echo "linux: root disk built ($rootfs_key)"
}

# Linux's gdb helpers (lx-dmesg, lx-ps, lx-symbols) for the kernel above, for the GDB stub's
# test: scripts/gdb with the constants.py a build makes from its configuration. Only the
# configuration is made, not the kernel, so this takes seconds; it is configured as
# build_kernel configures (the same tinyconfig and fragment) plus CONFIG_GDB_SCRIPTS, which
# changes nothing in the kernel itself.
build_gdb_scripts() {
  rm -f "$OUT/GDB_KEY"
  local SRC="$OUT/gdb-src" OBJ="$OUT/gdb-obj"
  rm -rf "$SRC" "$OBJ" "$OUT/gdb"
  mkdir -p "$SRC" "$OBJ"
  nice tar -xJf "$TARBALL" -C "$SRC" --strip-components=1 \
    --exclude='linux-source-6.1/Documentation/[!K]*' --exclude='linux-source-6.1/arch/*/boot/dts'
  local kmake=(nice make -s -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE="$CROSS" LD="$KLD")
  "${kmake[@]}" tinyconfig >/dev/null
  (cd "$OBJ" && nice "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$HERE/kernel.config" >/dev/null)
  echo 'CONFIG_GDB_SCRIPTS=y' >>"$OBJ/.config"
  "${kmake[@]}" olddefconfig >/dev/null
  "${kmake[@]}" scripts_gdb
  mkdir -p "$OUT/gdb/scripts/gdb/linux"
  cp "$SRC/scripts/gdb/vmlinux-gdb.py" "$OUT/gdb/"
  cp -L "$OBJ"/scripts/gdb/linux/*.py "$OUT/gdb/scripts/gdb/linux/"
  rm -rf "$SRC" "$OBJ"
  echo "$gdb_key" >"$OUT/GDB_KEY"
  echo "linux: gdb scripts made ($gdb_key)"
}

# Each key hashes its step's own code (declare -f), so editing one step leaves the other built.
# (sed -n 1p, not head -1: head would leave early and, under pipefail, fail the pipe.)
key="$( {
  declare -f build_kernel
  cat "$HERE/kernel.config"
  dpkg-query -W -f='${Version}\n' linux-source-6.1 2>/dev/null || stat -c '%s %Y' "$TARBALL"
  "${CROSS}gcc" --version | sed -n 1p
  "$KLD" --version | sed -n 1p
} | sha256sum | cut -c1-16)"
rootfs_key="$( {
  declare -f build_rootfs
  cat "$HERE/init.c" "$HERE/sh.c"
  "$UCC" --version | sed -n 1p
  dpkg-query -W -f='${Version}\n' libc6-dev-riscv64-cross 2>/dev/null || true
  mke2fs -V 2>&1 | sed -n 1p
} | sha256sum | cut -c1-16)"
gdb_key="$( {
  echo "$key"
  declare -f build_gdb_scripts
} | sha256sum | cut -c1-16)"
if [[ -f "$OUT/KEY" && "$(cat "$OUT/KEY")" == "$key" && -f "$OUT/Image" && -f "$OUT/vmlinux" ]]; then
  echo "linux: kernel up to date ($key)"
else
  build_kernel
fi
if [[ -f "$OUT/ROOTFS_KEY" && "$(cat "$OUT/ROOTFS_KEY")" == "$rootfs_key" && -f "$OUT/rootfs.img" ]]; then
  echo "linux: root disk up to date ($rootfs_key)"
else
  build_rootfs
fi
if [[ -f "$OUT/GDB_KEY" && "$(cat "$OUT/GDB_KEY")" == "$gdb_key" && -f "$OUT/gdb/vmlinux-gdb.py" ]]; then
  echo "linux: gdb scripts up to date ($gdb_key)"
else
  build_gdb_scripts
fi
