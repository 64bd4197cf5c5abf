#!/usr/bin/env bash
# Installs redis-server from Debian's packages for the n8n queue-mode tests (the tests start their own private
# instance on 127.0.0.1; nothing here starts or enables a service).
# Idempotent: does nothing when redis-server is already on the PATH. Debian/Ubuntu only (apt-get); needs root or sudo.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "Redis is installed: $(redis-server --version)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-redis: apt-get not found; install redis-server (Redis 6 or later) by hand." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-redis: run as root or install sudo." >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends redis-server

if ! command -v redis-server >/dev/null 2>&1; then
  echo "install-redis: the package was installed but redis-server is still not on the PATH." >&2
  exit 1
fi
echo "Redis is installed: $(redis-server --version)"
