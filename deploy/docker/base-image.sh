#!/usr/bin/env bash
# Builds a Node.js base image without any image registry, for CI machines that
# reach Debian's mirror and the npm registry but not Docker Hub:
#   debootstrap --variant=minbase bookworm, plus the Node.js LTS binary
#   (scripts/node-lts.sh, from the npm registry) and npm, imported as
#   delinkcious-node:<version>-bookworm. Prints the image name.
# The Dockerfile takes it as NODE_IMAGE. Needs root (debootstrap) and docker.
#
# BASE_CACHE  where the bookworm tree is kept between runs
#             (default /var/cache/delinkcious-ci)
# NPM_VERSION the npm put into the image for the build stage (default 11)
# CA_BUNDLE   the certificates the image trusts (default: this machine's,
#             /etc/ssl/certs/ca-certificates.crt), so that `npm ci` in the build
#             works behind the same TLS-inspecting proxy as the machine itself
# DOCKER      the docker command (default docker)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
DOCKER="${DOCKER:-docker}"
cache="${BASE_CACHE:-/var/cache/delinkcious-ci}"
npm_version="${NPM_VERSION:-11}"
ca_bundle="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
node_bin="$("$root/scripts/node-lts.sh")"
node_version="$("$node_bin/node" --version)"
image="delinkcious-node:${node_version#v}-bookworm"

if "$DOCKER" image inspect "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi

minbase="$cache/bookworm-minbase"
if [ ! -f "$minbase/.complete" ]; then
  rm -rf "$minbase.partial"
  debootstrap --variant=minbase bookworm "$minbase.partial" http://deb.debian.org/debian >&2
  touch "$minbase.partial/.complete"
  rm -rf "$minbase" && mv "$minbase.partial" "$minbase"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tree="$work/rootfs"
cp -a "$minbase" "$tree"
rm -rf "$tree/.complete" "$tree/var/cache/apt/archives/"*.deb "$tree/var/lib/apt/lists/"* \
       "$tree/usr/share/doc" "$tree/usr/share/man" "$tree/usr/share/info"
# The layout of the official node images: node in /usr/local/bin, npm as a
# global package (the Dockerfile's runtime stage deletes npm again).
install -m 0755 "$node_bin/node" "$tree/usr/local/bin/node"
(cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
mkdir -p "$tree/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-*.tgz --strip-components=1 -C "$tree/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tree/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$tree/usr/local/bin/npx"

mkdir -p "$tree/etc/ssl/certs"
install -m 0644 "$ca_bundle" "$tree/etc/ssl/certs/ca-certificates.crt"

tar -C "$tree" -c . | "$DOCKER" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' \
  - "$image" >&2
"$DOCKER" run --rm --network none "$image" node -e 'process.stdout.write("")' >&2
echo "$image"
