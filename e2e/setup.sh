#!/usr/bin/env bash
# Installs what the end-to-end suite needs: Debian's Chromium (and what code-server's
# native modules build against), then code-server and playwright-core from npm.
# code-server's postinstall fetches ripgrep from GitHub, which this network cannot
# reach; it first looks in its cache folder, so we put Debian's rg there under the
# expected name (../shared/REAL-VSCODE.md).
set -euo pipefail
cd "$(dirname "$0")"
need=()
for p in chromium libkrb5-dev ripgrep; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y --no-install-recommends "${need[@]}"
fi
tmp="${TMPDIR:-/tmp}"
cache="$tmp/vscode-ripgrep-cache-1.15.11"
archive="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$archive" ]; then
  mkdir -p "$cache/rg-stage"
  cp /usr/bin/rg "$cache/rg-stage/rg"
  tar -czf "$archive" -C "$cache/rg-stage" rg
fi
export npm_config_unsafe_perm=true npm_config_yes=true
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
