#!/bin/sh
# Builds localhost/kite-node:20-bookworm, a stand-in for node:20-bookworm-slim where no registry
# can be reached: Debian bookworm (debootstrap, from Debian's mirror) with this host's Node.js 20
# and npm, a user node of uid 1000, and this host's CA certificates (NODE_EXTRA_CA_CERTS, for a
# TLS-inspecting proxy in front of the npm registry). Needs root, debootstrap and podman.
#   sh deploy/stand-in-base.sh && podman build --pull=never \
#     --build-arg NODE_IMAGE=localhost/kite-node:20-bookworm -f deploy/Dockerfile -t kite-conversations:0.1.0 .
set -eu
ROOTFS=${ROOTFS:-/var/tmp/kite-rootfs}
NODE=$(command -v node)
node -e 'process.exit(process.versions.node.startsWith("20.") ? 0 : 1)' || { echo "this host's node is not 20.x" >&2; exit 1; }
[ -x "$ROOTFS/usr/bin/apt-get" ] || debootstrap --variant=minbase bookworm "$ROOTFS" http://deb.debian.org/debian
cp "$NODE" "$ROOTFS/usr/local/bin/node"
mkdir -p "$ROOTFS/usr/local/lib/node_modules"
cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$ROOTFS/usr/local/lib/node_modules/"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
mkdir -p "$ROOTFS/etc/ssl" && cp -aL /etc/ssl/certs "$ROOTFS/etc/ssl/"
chroot "$ROOTFS" sh -c 'id node >/dev/null 2>&1 || { groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node; }'
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
tar -C "$ROOTFS" -c . | podman import --change 'CMD ["node"]' --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' - localhost/kite-node:20-bookworm
