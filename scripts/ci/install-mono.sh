#!/usr/bin/env bash
# Installs the Mono C# compiler and runtime that the connector custom-code tests (script.csx) compile and run with.
# Idempotent: does nothing when mcs, mono and the assemblies the scripts reference are already there.
# Debian/Ubuntu only (apt-get); needs root or sudo.
set -euo pipefail

PACKAGES=(mono-mcs mono-runtime libmono-system-net-http4.0-cil libnewtonsoft-json5.0-cil)

have_everything() {
  command -v mcs >/dev/null 2>&1 &&
    command -v mono >/dev/null 2>&1 &&
    [ -f /usr/lib/mono/4.5/System.Net.Http.dll ] &&
    ls /usr/lib/cli/Newtonsoft.Json-*/Newtonsoft.Json.dll >/dev/null 2>&1
}

if have_everything; then
  echo "Mono is installed: $(mcs --version)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-mono: apt-get not found; install ${PACKAGES[*]} (or Mono 6 from mono-project.com) by hand." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-mono: run as root or install sudo." >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"

if ! have_everything; then
  echo "install-mono: the packages were installed but mcs, mono or an assembly is still missing." >&2
  exit 1
fi
echo "Mono is installed: $(mcs --version)"
