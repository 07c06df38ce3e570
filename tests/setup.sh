#!/usr/bin/env bash
# Installs everything the test suite needs: Debian packages for the real QEMU target and the
# headless browser, and the Python packages in .venv, so that a fresh machine runs
# `.venv/bin/python -m pytest` with nothing installed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  qemu-system-x86 busybox-static grub-pc-bin grub-common xorriso mtools cpio openssl
  chromium fonts-dejavu-core less
  mmdebstrap fdisk e2fsprogs
  # The management peers: libvirtd (and what libvirt-python builds with), OpenIPMI's BMC
  # simulator and ipmitool as the independent client.
  libvirt-daemon-system libvirt-dev pkg-config gcc python3-dev openipmi ipmitool qemu-utils
)
missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# apt-cache needs fresh lists to find today's kernel package for the test VM.
apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1 || { [ "$(id -u)" -eq 0 ] && apt-get update -qq || sudo apt-get update -qq; }

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/python tests/targets/build_linux_vm.py >/dev/null
# The real Debian 12 target (root: loop devices and mount), with the faults the runbooks fix.
.venv/bin/python tests/targets/build_debian_vm.py healthy iptables-drops-ssh root-locked >/dev/null
