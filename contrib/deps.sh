#!/usr/bin/env bash
# Install the Debian packages tinesfs needs to build, test and run its demo.
# Installs only what is missing; needs root (or sudo) when something is.
set -euo pipefail

PKGS=(meson ninja-build pkg-config gcc clang libfuse3-dev fuse3
      libcurl4-openssl-dev libjson-c-dev check jq curl python3 openssl
      man-db rsync tar valgrind libclang-rt-14-dev)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
