#!/usr/bin/env bash
# Container images and the compose stack.
#   docker-images.sh build [--offline]   build the images: from the official bases (docker compose build),
#                                        or --offline from the Debian base built here with mmdebstrap
#   docker-images.sh push                tag the application images with IMAGE_TAG and push them to
#                                        REGISTRY (login with REGISTRY_USER / REGISTRY_PASSWORD when set)
#   docker-images.sh deploy [--offline]  docker compose up -d --wait (profile from COMPOSE_PROFILES, else full)
# IMAGE_TAG defaults to "dev". Images already built are reused (Docker's layer cache).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { echo "[images] $*" >&2; }
fail() { say "ERROR: $*"; exit 1; }

export IMAGE_TAG="${IMAGE_TAG:-dev}"
# The classic builder: BuildKit needs the buildx plugin, which Debian's docker.io does not ship.
export DOCKER_BUILDKIT=0

OFFLINE_BASE=arxiv-mlops-offline/debian:bookworm
OFFLINE_PYTHON=arxiv-mlops-offline/python:3.11-bookworm
OFFLINE_NODE=arxiv-mlops-offline/node:20.20.2-bookworm
OFFLINE_AIRFLOW=arxiv-mlops-offline/airflow:3.3.2
APP_IMAGES=(arxiv-mlops arxiv-mlops-airflow)
MLFLOW_SERVER_IMAGE=arxiv-mlops-mlflow:3.17.2

compose_files=(-f docker-compose.yml)

compose() {
  if docker compose version >/dev/null 2>&1; then docker compose "$@"
  elif [ -x .tools/bin/docker-compose ]; then .tools/bin/docker-compose "$@"
  else fail "Docker Compose v2 is missing: run bash scripts/setup-engines.sh"
  fi
}

# Certificates this machine trusts beyond Debian's own list (a site or proxy CA), or SITE_CA_FILE:
# the images need them to reach the package registries the way this machine does.
site_ca() {
  local out="$1" known split cert fingerprint
  : > "$out"
  if [ -n "${SITE_CA_FILE:-}" ]; then cp "$SITE_CA_FILE" "$out"; return; fi
  [ -f /etc/ssl/certs/ca-certificates.crt ] || return 0
  known="$(for file in /usr/share/ca-certificates/*/*.crt; do openssl x509 -in "$file" -noout -fingerprint -sha256 2>/dev/null; done | sort -u)"
  split="$(mktemp -d)"
  awk -v dir="$split" '/BEGIN CERTIFICATE/ { n++ } n { print > (dir "/" n ".pem") }' /etc/ssl/certs/ca-certificates.crt
  for cert in "$split"/*.pem; do
    fingerprint="$(openssl x509 -in "$cert" -noout -fingerprint -sha256 2>/dev/null)" || continue
    grep -qxF "$fingerprint" <<<"$known" || cat "$cert" >> "$out"
  done
  rm -rf "$split"
}

# Debian bookworm (minbase) from the apt sources, imported as an image: the root of every offline image.
offline_base() {
  if docker image inspect "$OFFLINE_BASE" >/dev/null 2>&1; then say "base $OFFLINE_BASE present"; return; fi
  command -v mmdebstrap >/dev/null 2>&1 || fail "mmdebstrap is missing: run bash scripts/docker-engine.sh start (or apt-get install mmdebstrap)"
  local mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}" security="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
  local ca hooks=()
  ca="$(mktemp --suffix=.crt)"
  site_ca "$ca"
  if [ -s "$ca" ]; then
    say "adding $(grep -c 'BEGIN CERT' "$ca") site CA certificate(s) to the base"
    hooks=(--customize-hook="copy-in $ca /usr/local/share/ca-certificates" --customize-hook='chroot "$1" update-ca-certificates')
  fi
  say "building $OFFLINE_BASE with mmdebstrap…"
  mmdebstrap --quiet --variant=minbase --include=ca-certificates "${hooks[@]}" bookworm - \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main" \
    | docker import --change 'CMD ["bash"]' - "$OFFLINE_BASE" >/dev/null
  rm -f "$ca"
}

# build_image <tag> <context> [docker build arguments…]
build_image() {
  local tag="$1" context="$2" started
  shift 2
  started=$SECONDS
  if ! docker build -q -t "$tag" "$@" "$context" >/dev/null 2>"$root/.data/docker/build-error.log"; then
    say "ERROR: building $tag failed:"
    tail -30 "$root/.data/docker/build-error.log" >&2
    exit 1
  fi
  say "$(printf '%-48s %4ss' "$tag" $((SECONDS - started)))"
}

build_offline() {
  mkdir -p .data/docker
  offline_base
  build_image "$OFFLINE_PYTHON" stack/images/python
  build_image "$OFFLINE_NODE" stack/images/node
  build_image arxiv-mlops-offline/postgres:15-bookworm stack/images/postgres
  build_image arxiv-mlops-offline/redis:7.0-bookworm stack/images/redis
  build_image arxiv-mlops-offline/temporal:1.9.1 stack/images/temporal
  build_image arxiv-mlops-offline/ferretdb:1.24.2 stack/images/ferretdb
  build_image arxiv-mlops-offline/seaweedfs:4.48 stack/images/seaweedfs
  build_image "$MLFLOW_SERVER_IMAGE" stack/images/mlflow --build-arg "BASE_IMAGE=$OFFLINE_PYTHON"
  build_image "$OFFLINE_AIRFLOW" . -f stack/images/airflow/Dockerfile
  build_image "arxiv-mlops:$IMAGE_TAG" . --build-arg "NODE_IMAGE=$OFFLINE_NODE"
  build_image "arxiv-mlops-airflow:$IMAGE_TAG" . -f airflow-bridge/Dockerfile --build-arg "AIRFLOW_IMAGE=$OFFLINE_AIRFLOW"
}

push() {
  [ -n "${REGISTRY:-}" ] || fail "set REGISTRY (e.g. registry.example.com/arxiv-mlops) to push"
  if [ -n "${REGISTRY_USER:-}" ]; then
    printf '%s' "${REGISTRY_PASSWORD:?REGISTRY_PASSWORD is needed with REGISTRY_USER}" \
      | docker login --username "$REGISTRY_USER" --password-stdin "${REGISTRY%%/*}"
  fi
  local image
  for image in "${APP_IMAGES[@]}"; do
    docker tag "$image:$IMAGE_TAG" "$REGISTRY/$image:$IMAGE_TAG"
    docker push "$REGISTRY/$image:$IMAGE_TAG"
  done
  # MLflow's image is ours too (psycopg2, boto3): tagged with its MLflow version.
  docker tag "$MLFLOW_SERVER_IMAGE" "$REGISTRY/$MLFLOW_SERVER_IMAGE"
  docker push "$REGISTRY/$MLFLOW_SERVER_IMAGE"
}

action="${1:-}"
[ "${2:-}" = "--offline" ] && compose_files+=(-f docker-compose.offline.yml)
case "$action" in
  build)
    if [ "${2:-}" = "--offline" ]; then build_offline; else compose "${compose_files[@]}" --profile full build; fi
    ;;
  push) push ;;
  deploy)
    [ -f .env ] || fail "no .env: copy .env.example to .env and set its passwords"
    # The profile chosen in .env wins; without one the whole system is deployed.
    grep -q '^COMPOSE_PROFILES=' .env || export COMPOSE_PROFILES="${COMPOSE_PROFILES:-full}"
    compose "${compose_files[@]}" up -d --wait --no-build
    ;;
  *) fail "usage: docker-images.sh build [--offline] | push | deploy [--offline]" ;;
esac
