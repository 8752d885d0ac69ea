#!/usr/bin/env bash
# Container images and the compose stack.
#   docker-images.sh build [--offline]   build the images: from the official bases (docker compose build),
#                                        or --offline from the Debian base built here with mmdebstrap
#   docker-images.sh push                tag the application images with IMAGE_TAG and push them to
#                                        REGISTRY (login with REGISTRY_USER / REGISTRY_PASSWORD when set)
#   docker-images.sh deploy [--offline]  check .env's secrets, then docker compose up -d --wait (profile from
#                                        COMPOSE_PROFILES, else full)
#   docker-images.sh check-env [FILE]    refuse placeholder, short or malformed secrets in FILE (default .env)
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

# The secrets of .env and what each must be. Passwords go into connection URLs unescaped, so only
# letters, digits, '-', '_' and '.' are allowed.
HEX_SECRET_HINT='openssl rand -hex 24'
FERNET_HINT='python3 -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
SECRETS=(POSTGRES_PASSWORD MONGO_ROOT_PASSWORD S3_SECRET_KEY REDIS_PASSWORD AIRFLOW_ADMIN_PASSWORD AIRFLOW_JWT_SECRET AIRFLOW_FERNET_KEY MLOPS_API_KEY)
MIN_SECRET_LENGTH=16
MIN_API_KEY_LENGTH=24

# check_env <file>: one line per problem on stderr; exit status 1 when there is any.
check_env() {
  local file="$1" name value line problems=0
  [ -f "$file" ] || fail "no $file: copy .env.example to $file and set its secrets"
  for name in "${SECRETS[@]}"; do
    line="$(grep -E "^${name}=" "$file" | tail -n 1 || true)"
    value="${line#*=}"
    value="${value%\"}"; value="${value#\"}"
    problem=""
    if [ -z "$line" ] || [ -z "$value" ]; then
      # An empty admin key turns the admin routes off; every other secret is required.
      [ "$name" = MLOPS_API_KEY ] || problem="is not set"
    elif grep -qiE 'change-?me|placeholder' <<<"$value"; then
      problem="is still the example's placeholder"
    elif [ "$name" = AIRFLOW_FERNET_KEY ]; then
      grep -qE '^[A-Za-z0-9_-]{43}=$' <<<"$value" || problem="is not a Fernet key (32 bytes, URL-safe base64)"
    elif ! grep -qE '^[A-Za-z0-9._-]+$' <<<"$value"; then
      problem="holds characters other than letters, digits, '-', '_' and '.' (it goes into URLs unescaped)"
    elif [ "$name" = MLOPS_API_KEY ] && [ "${#value}" -lt "$MIN_API_KEY_LENGTH" ]; then
      problem="has ${#value} characters, fewer than $MIN_API_KEY_LENGTH"
    elif [ "${#value}" -lt "$MIN_SECRET_LENGTH" ]; then
      problem="has ${#value} characters, fewer than $MIN_SECRET_LENGTH"
    fi
    if [ -n "$problem" ]; then
      local hint="$HEX_SECRET_HINT"
      [ "$name" = AIRFLOW_FERNET_KEY ] && hint="$FERNET_HINT"
      say "$name $problem: generate one with $hint"
      problems=$((problems + 1))
    fi
  done
  if [ "$problems" -gt 0 ]; then
    say "ERROR: $file has $problems unusable secret(s): nothing was deployed"
    return 1
  fi
  say "$file: every secret is set"
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
if [ "${2:-}" = "--offline" ]; then compose_files+=(-f docker-compose.offline.yml); fi
case "$action" in
  build)
    if [ "${2:-}" = "--offline" ]; then build_offline; else compose "${compose_files[@]}" --profile full build; fi
    ;;
  push) push ;;
  check-env) check_env "${2:-.env}" ;;
  deploy)
    check_env .env || exit 1
    # The profile chosen in .env wins; without one the whole system is deployed.
    grep -q '^COMPOSE_PROFILES=' .env || export COMPOSE_PROFILES="${COMPOSE_PROFILES:-full}"
    compose "${compose_files[@]}" up -d --wait --no-build
    ;;
  *) fail "usage: docker-images.sh build [--offline] | push | deploy [--offline] | check-env [FILE]" ;;
esac
