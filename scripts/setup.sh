#!/usr/bin/env bash
# Installs what zkops needs on a fresh Debian/Ubuntu machine, then its npm
# dependencies (which also builds dist/). Idempotent: only what is missing is
# installed. With --test, also what the test suite needs (sshd and iproute2
# for the SSH test hosts, iptables for the NAT test, systemd-nspawn and dbus
# for the test host that boots systemd, docker.io for the Docker tests, and
# busybox-static + a JDK's jlink to build their ZooKeeper image, gnupg to sign
# the test mirror's releases, prometheus and tmux for the monitoring tests,
# chromium for the dashboard's browser tests, mmdebstrap for the test hosts
# with a Debian root file system of their own).
#   scripts/setup.sh           # to run zkops
#   scripts/setup.sh --test    # to run the tests too
set -euo pipefail
cd "$(dirname "$0")/.."

want=(zookeeper iproute2)
[ "${1:-}" = "--test" ] && want+=(openssh-server iptables python3 sudo systemd-container dbus docker.io busybox-static openjdk-17-jdk-headless gnupg prometheus tmux chromium mmdebstrap)

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "zkops setup: missing Debian packages: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "zkops setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "zkops setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
[ -f dist/cli.js ] && [ -z "$(find src -newer dist/cli.js -name '*.ts' | head -n1)" ] || npx tsc -p tsconfig.json
echo "zkops setup: ready"
