#!/usr/bin/env bash
# Installs Debian's Chromium that the browser test drives through playwright-core (which never downloads a browser
# of its own: the test launches /usr/bin/chromium). Idempotent: does nothing when Chromium already starts.
# Debian/Ubuntu only (apt-get); needs root or sudo.
set -euo pipefail

# fonts-liberation: metric-compatible fonts, so text in screenshots is not drawn with a fallback.
PACKAGES=(chromium fonts-liberation)
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

have_everything() {
  [ -x "$CHROMIUM" ] && "$CHROMIUM" --version >/dev/null 2>&1 &&
    { ! command -v dpkg-query >/dev/null 2>&1 || dpkg-query -W -f='${Status}' fonts-liberation 2>/dev/null | grep -q 'install ok installed'; }
}

if have_everything; then
  echo "Chromium is installed: $("$CHROMIUM" --version)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: apt-get not found; install ${PACKAGES[*]} by hand (or set CHROMIUM_PATH to a Chromium binary)." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-chromium: run as root or install sudo." >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# Waits for another apt-get (another install script, unattended upgrades) instead of failing on its lock.
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${PACKAGES[@]}"

if ! have_everything; then
  echo "install-chromium: the packages were installed but $CHROMIUM does not start." >&2
  exit 1
fi
echo "Chromium is installed: $("$CHROMIUM" --version)"
