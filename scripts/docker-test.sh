#!/usr/bin/env bash
# npm run test:docker: starts a Docker engine (installing it when missing), runs the container tests
# (test/docker: the offline compose stack built and run for real), then stops the engine it started.
# Jest's results go to $DOCKER_TEST_RESULTS (default .data/docker-results.json) for .ci/run's count.
# Where no engine can be started the tests are skipped with the reason, and no result file is written.
set -uo pipefail
cd "$(dirname "$0")/.."

results="${DOCKER_TEST_RESULTS:-.data/docker-results.json}"
mkdir -p .data/docker "$(dirname "$results")"
rm -f "$results"

started=$SECONDS
bash scripts/docker-engine.sh start
engine=$?
if [ "$engine" = 3 ]; then
  echo "test:docker SKIPPED: no Docker engine can be started on this machine (reason above)"
  exit 0
fi
[ "$engine" = 0 ] || exit "$engine"
echo "[docker] engine ready in $((SECONDS - started)) s"

npx jest --config test/docker/jest.config.js --runInBand --json --outputFile="$results" "$@"
status=$?

stopped=$SECONDS
bash scripts/docker-engine.sh stop
echo "[docker] engine stopped in $((SECONDS - stopped)) s; test:docker took $((SECONDS - started)) s in all"
exit "$status"
