#!/usr/bin/env bash
# Installs the Debian packages the test suite needs beyond Rust itself. Idempotent: packages
# already installed are skipped, and `apt-get update` runs at most once, only when something is
# missing. Run as root (CI) or with sudo available.
#
#   scripts/install-test-deps.sh
#
# Packages:
#   tinyproxy  a real HTTP proxy for aws_ilm_client's proxy test (crates/client/tests/proxy.rs)
set -euo pipefail

PACKAGES=(tinyproxy)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        echo "install-test-deps: $pkg already installed"
    else
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-test-deps: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
echo "install-test-deps: installed ${missing[*]}"
