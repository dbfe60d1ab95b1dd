#!/usr/bin/env bash
# ctest entry of the browser test: run.sh RGEVAL_BIN WORK_DIR SHARED_DIR. Installs playwright-core
# (package-lock.json) into WORK_DIR/node_modules with `npm ci` when missing or outdated, then runs
# sxs_browser.cjs. Exits 77 (ctest: skipped) when chromium, node/npm, the npm package or
# ../shared are unavailable.
set -uo pipefail
bin=$1 work=$2 shared=$3
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "sxs_browser: SKIPPED: $*"; exit 77; }
[ -x /usr/bin/chromium ] || skip "no /usr/bin/chromium (Debian package chromium; scripts/install-deps.sh)"
command -v node >/dev/null || skip "no node"
[ -d "$shared/data" ] || skip "../shared is absent ($shared)"
mkdir -p "$work"
if [ ! -f "$work/node_modules/playwright-core/package.json" ] || ! cmp -s "$here/package-lock.json" "$work/package-lock.json"; then
  command -v npm >/dev/null || skip "no npm to install playwright-core"
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error) || skip "npm ci of playwright-core failed (registry unreachable?)"
fi
exec node "$here/sxs_browser.cjs" "$bin" "$work" "$shared"
