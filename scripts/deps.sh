#!/usr/bin/env bash
# Installs the Debian packages batch needs to build, test and run, when they are missing.
# Usage: scripts/deps.sh [build|test|demo|boot]   (default: test)
set -euo pipefail
want=(libhiredis-dev libncursesw5-dev pkg-config redis-server tmux)
case "${1:-test}" in
  build) want=(libhiredis-dev libncursesw5-dev pkg-config) ;;
  # gdb: scripts/test-suite.sh prints the stacks of a hung test run with it.
  # faketime: the chaos suite runs gateways with their clocks off.
  test)  want+=(redis-sentinel prometheus python3-h11 util-linux debootstrap systemd-container zsh fish gdb faketime) ;;
  boot)  want=(debootstrap systemd-container util-linux) ;;   # Tests/System/boot-test.sh
  demo)  ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
