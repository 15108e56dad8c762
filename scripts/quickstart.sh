#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine with Node.js 20, then runs the demo or the test suite.
#
#   scripts/quickstart.sh demo   install, build, run `flotilla demo`
#   scripts/quickstart.sh test   install, build, run `npm run check` (types, lint, format, boundaries, tests)
#
# System packages the project needs are installed with apt-get when missing and we are root; otherwise
# the exact command to install them is printed and nothing else happens.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
if [[ "$mode" != demo && "$mode" != test ]]; then
  echo "usage: scripts/quickstart.sh demo|test" >&2
  exit 2
fi

# Debian packages: the command each provides, then the package. Chromium is the QA crawler's browser
# (src/qa/browser), driven by playwright-core, which downloads no browser of its own: the demo's crawl
# and the tests need it.
SYSTEM_PACKAGES=(
  "git:git"
  "chromium:chromium"
)

missing=()
for entry in "${SYSTEM_PACKAGES[@]}"; do
  command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
done
if ((${#missing[@]} > 0)); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "› installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "Flotilla needs these system packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if ((node_major < 20)); then
  echo "Flotilla needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 2
fi

# better-sqlite3 compiles from source here (about two minutes, once).
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "› installing npm dependencies"
  npm ci --no-audit --no-fund
fi
echo "› building"
npm run --silent build

case "$mode" in
  demo) exec node dist/cli/bin.js demo ;;
  test)
    npm run --silent check
    node scripts/test-summary.mjs
    ;;
esac
