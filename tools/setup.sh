#!/usr/bin/env bash
# Sets up this machine for the README's two commands, and does nothing when it already is (each step says which).
#   tools/setup.sh --demo   Node >= 20, node_modules, and one Prometheus (Debian's, else Prometheus 3 built with Go)
#   tools/setup.sh --all    everything `npm run test:all` needs: the Debian packages below, Prometheus 3 and the
#                           tsdb-writer built with Go, the Prefect virtual environment, node_modules
# Debian packages are installed with apt-get when it is usable (root, or sudo without a password); otherwise, and for
# any tool it cannot get, it stops with one line per missing tool naming the command that installs it.
# PREFECT_INSIGHTS_APT=no never calls apt-get (report instead). Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

part=${1:---all}
case "$part" in
  --demo | --all) ;;
  *)
    echo "usage: tools/setup.sh [--demo|--all]" >&2
    exit 2
    ;;
esac

started=$(date +%s)
did=0 # steps that changed something
say() { printf 'setup: %s\n' "$*" >&2; }
missing=()
miss() { missing+=("$1"); }
stop_if_missing() {
  if [ ${#missing[@]} -gt 0 ]; then
    for line in "${missing[@]}"; do say "missing $line"; done
    exit 1
  fi
}

# --- apt-get, when usable ---------------------------------------------------------------------------------------
apt=''
if [ "${PREFECT_INSIGHTS_APT:-yes}" != no ] && command -v apt-get >/dev/null; then
  # (env rather than an export: sudo does not pass the caller's environment on)
  if [ "$(id -u)" -eq 0 ]; then
    apt='env DEBIAN_FRONTEND=noninteractive apt-get'
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    apt='sudo env DEBIAN_FRONTEND=noninteractive apt-get'
  fi
fi
apt_updated=0
apt_install() {
  say "apt-get install $* ..."
  if [ $apt_updated -eq 0 ]; then
    $apt update -qq
    apt_updated=1
  fi
  $apt install -y -qq --no-install-recommends "$@" >/dev/null
  did=$((did + 1))
}

# Each Debian package the tests use, with the file that shows it is installed. PATH first, then the fixed paths the
# test harness looks at (tests/harness/localServer.ts also looks in /usr/bin; Chromium and PostgreSQL are fixed paths).
# (bash's `command -v` also names a file that is not executable, so the file is tested too.)
has_cmd() {
  local p
  p=$(command -v "$1" 2>/dev/null) && [ -f "$p" ] && [ -x "$p" ] && return 0
  [ -f "/usr/bin/$1" ] && [ -x "/usr/bin/$1" ]
}
pkg_present() {
  case "$1" in
    prometheus) has_cmd prometheus && has_cmd promtool ;;
    chromium) [ -x /usr/bin/chromium ] ;;
    victoria-metrics) has_cmd victoria-metrics ;;
    docker-compose) has_cmd docker-compose ;;
    postgresql) [ -x "${PG_BIN:-/usr/lib/postgresql/15/bin}/initdb" ] ;;
    python3-venv) command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null ;;
  esac
}
pkg_why() {
  case "$1" in
    prometheus) echo 'prometheus and promtool (Prometheus 2.42: the demo, integration tests)' ;;
    chromium) echo '/usr/bin/chromium (browser tests)' ;;
    victoria-metrics) echo 'victoria-metrics (VictoriaMetrics integration tests)' ;;
    docker-compose) echo 'docker-compose (checks docker-compose.yaml)' ;;
    postgresql) echo "${PG_BIN:-/usr/lib/postgresql/15/bin}/initdb (PostgreSQL 15: the real-Prefect suite)" ;;
    python3-venv) echo 'python3 with venv and ensurepip (the real-Prefect suite)' ;;
  esac
}
ensure_packages() {
  local want=()
  for p in "$@"; do pkg_present "$p" || want+=("$p"); done
  if [ ${#want[@]} -eq 0 ]; then
    say "Debian packages: $* already installed"
    return
  fi
  if [ -n "$apt" ]; then
    apt_install "${want[@]}"
    for p in "${want[@]}"; do pkg_present "$p" || miss "$(pkg_why "$p"): apt-get installed $p but it is still not there"; done
  else
    for p in "${want[@]}"; do miss "$(pkg_why "$p"): install it with \`sudo apt-get install -y $p\`"; done
  fi
}

# --- Node and node_modules ----------------------------------------------------------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "missing Node.js 20 or later (found: $(node --version 2>/dev/null || echo none)): install it from https://nodejs.org/ or with nvm (\`nvm install\` reads .nvmrc)"
  exit 1
fi
ensure_node_modules() {
  # npm writes node_modules/.package-lock.json at the end of every install: older than the lock means stale.
  if [ -f node_modules/.package-lock.json ] && ! [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say 'node_modules: up to date with package-lock.json'
    return
  fi
  say "node_modules: $([ -d node_modules ] && echo 'older than package-lock.json' || echo missing), running npm ci ..."
  npm ci --no-audit --no-fund >&2
  did=$((did + 1))
}

# --- Go builds (cached outside git by the build scripts themselves) ------------------------------------------------
go_line='go (Go >= 1.26, to build Prometheus 3 and the tsdb-writer): install it from https://go.dev/doc/install'
prometheus3_built() { # where tools/prometheus3/build.sh caches it (as tests/harness/prometheus.ts reads it)
  local bin
  bin=$(. tools/prometheus3/version.env && echo "${PROMETHEUS3_BIN:-${PREFECT_INSIGHTS_CACHE:-$HOME/.cache/prefect-insights}/prometheus-$PROMETHEUS3_RELEASE/prometheus}")
  [ -x "$bin" ] && [ -x "$(dirname "$bin")/promtool" ]
}
go_build() { # go_build SCRIPT: runs a cached build script, saying whether it built
  local script=$1 log
  log=$(mktemp)
  if ! bash "$script" 2>"$log" >/dev/null; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  if grep -q ': cached in ' "$log"; then
    say "$(grep ': cached in ' "$log" | tail -1)"
  else
    cat "$log" >&2
    did=$((did + 1))
  fi
  rm -f "$log"
}

# --- Prefect virtual environment (the stamp logic of tests/prefect/harness/venv.ts) --------------------------------
ensure_venv() {
  local venv=${PREFECT_INSIGHTS_VENV:-.venv-prefect}
  if [ -x "$venv/bin/python" ] && cmp -s tools/prefect/requirements.txt "$venv/.requirements-installed"; then
    say "Prefect venv: $venv matches tools/prefect/requirements.txt"
    return
  fi
  say "Prefect venv: $([ -x "$venv/bin/python" ] && echo "re-syncing $venv (requirements changed)" || echo "creating $venv"), pip install (minutes the first time) ..."
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r tools/prefect/requirements.txt >&2
  cp tools/prefect/requirements.txt "$venv/.requirements-installed"
  did=$((did + 1))
}

if [ "$part" = --demo ]; then
  # One Prometheus is enough: Debian's (seconds with apt-get), else the Prometheus 3 build (minutes with Go).
  # PREFECT_INSIGHTS_PROMETHEUS=2|3 names the one the demo will start (tools/demoPrometheus.ts), as in the tests.
  engine=${PREFECT_INSIGHTS_PROMETHEUS:-}
  engine=${engine//[[:space:]]/}
  if [ "$engine" != 3 ] && [ "$engine" != prometheus3 ] && pkg_present prometheus; then
    say "Prometheus: Debian's $(command -v prometheus || echo /usr/bin/prometheus)"
  elif [ "$engine" != 2 ] && [ "$engine" != prometheus2 ] && prometheus3_built; then
    say 'Prometheus: the Prometheus 3 build (tools/prometheus3/build.sh), already cached'
  elif [ "$engine" != 3 ] && [ "$engine" != prometheus3 ] && [ -n "$apt" ]; then
    apt_install prometheus
  elif [ "$engine" != 2 ] && [ "$engine" != prometheus2 ] && command -v go >/dev/null; then
    say "Prometheus: building Prometheus 3 with Go (minutes, once) ..."
    go_build tools/prometheus3/build.sh
  elif [ "$engine" = 3 ] || [ "$engine" = prometheus3 ]; then
    say "missing $go_line"
    exit 1
  elif [ "$engine" = 2 ] || [ "$engine" = prometheus2 ]; then
    say "missing prometheus and promtool (the demo's database): install it with \`sudo apt-get install -y prometheus\`"
    exit 1
  else
    say "missing prometheus (the demo's database): install it with \`sudo apt-get install -y prometheus\`, or install Go >= 1.26 (https://go.dev/doc/install) and run this again to build Prometheus 3"
    exit 1
  fi
  ensure_node_modules
else
  ensure_packages prometheus chromium victoria-metrics docker-compose postgresql python3-venv
  command -v go >/dev/null || miss "$go_line"
  stop_if_missing
  go_build tools/prometheus3/build.sh
  go_build tools/tsdb-writer/build.sh
  ensure_venv
  ensure_node_modules
fi

if [ $did -eq 0 ]; then
  say "nothing to do: this machine is ready for $([ "$part" = --demo ] && echo 'npm run demo' || echo 'npm run test:all') ($(($(date +%s) - started)) s)"
else
  say "ready for $([ "$part" = --demo ] && echo 'npm run demo' || echo 'npm run test:all'): $did step(s) done in $(($(date +%s) - started)) s"
fi
