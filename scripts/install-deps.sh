#!/usr/bin/env bash
# Installs the Debian 12 packages rgeval needs. Idempotent: installs only what is missing.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git
  libdnnl-dev libsentencepiece-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev
  libbenchmark-dev libgtest-dev libgmock-dev
  clang libclang-rt-14-dev libomp-dev
  openmpi-bin libopenmpi-dev
  # sxs: the rating web app's HTTP library (cpp-httplib), and headless Chromium for its browser
  # test (tests/browser/, driven by playwright-core from npm; node comes with the image)
  libcpp-httplib-dev chromium
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present" >&2
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
