#!/bin/sh
# Install Debian's Chromium for the browser tests (tests/browser), quietly, only when it is missing.
# Playwright drives /usr/bin/chromium through executable_path; never `playwright install`.
# Exits 0 when Chromium is already present or was installed; non-zero when installing failed.
set -eu

if [ -x /usr/bin/chromium ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-browser: /usr/bin/chromium is missing and this user cannot run apt-get (not root, no sudo)." >&2
        exit 1
    fi
fi

echo "install-browser: installing Debian's chromium package..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq chromium >/dev/null

if [ ! -x /usr/bin/chromium ]; then
    echo "install-browser: apt-get finished but /usr/bin/chromium is still missing." >&2
    exit 1
fi
echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed)" >&2
