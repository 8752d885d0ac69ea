#!/usr/bin/env bash
# A Docker engine for the container tests, on machines without systemd.
#   docker-engine.sh start   install docker.io, iptables and mmdebstrap when dockerd is missing (apt-get),
#                            then start dockerd unless an engine already answers; exits 3 with the reason
#                            on stderr when no engine can be had here
#   docker-engine.sh stop    stop the dockerd this script started (by its pid) and remove its bridge
# Images stay in Docker's data root (/var/lib/docker), so the next start reuses them.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="$root/.data/docker"
pidfile="$state/dockerd.pid"

say() { echo "[docker] $*" >&2; }
unavailable() { say "no Docker engine: $*"; exit 3; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else return 1
  fi
}

install_engine() {
  command -v apt-get >/dev/null 2>&1 || unavailable "dockerd is not installed and apt-get is not available"
  say "installing docker.io, iptables and mmdebstrap (apt-get)…"
  local packages=(docker.io iptables mmdebstrap)
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null 2>&1 \
    || { as_root apt-get update -q >/dev/null 2>&1 \
      && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null; } \
    || unavailable "could not install docker.io (apt-get failed; root rights are needed)"
}

start() {
  mkdir -p "$state"
  # mmdebstrap builds the offline base image, whoever runs the engine.
  command -v mmdebstrap >/dev/null 2>&1 || install_engine
  if docker info >/dev/null 2>&1; then say "a Docker engine already answers: using it"; return; fi
  command -v dockerd >/dev/null 2>&1 || install_engine
  [ "$(id -u)" = 0 ] || unavailable "starting dockerd needs root"
  say "starting dockerd…"
  dockerd --storage-driver=overlay2 --pidfile "$state/dockerd.internal.pid" > "$state/dockerd.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then say "dockerd ready (pid $(cat "$pidfile"))"; return; fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      rm -f "$pidfile"
      unavailable "dockerd exited at start: $(tail -3 "$state/dockerd.log" | tr '\n' ' ')"
    fi
    sleep 0.5
  done
  unavailable "dockerd did not answer within 30 s (see $state/dockerd.log)"
}

stop() {
  [ -f "$pidfile" ] || { say "no dockerd started by this script"; return; }
  local pid
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile" "$state/dockerd.internal.pid"
  # dockerd leaves its bridge behind when it stops.
  ip link delete docker0 >/dev/null 2>&1 || true
  say "dockerd stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: docker-engine.sh start|stop" >&2; exit 2 ;;
esac
