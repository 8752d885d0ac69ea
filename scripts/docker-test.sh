#!/usr/bin/env bash
# npm run test:docker: starts a Docker engine (installing it when missing), runs the container tests
# (test/docker: the offline compose stack built and run for real), then stops the engine it started.
# Jest's results go to $DOCKER_TEST_RESULTS (default .data/docker-results.json) for .ci/run's count.
# Where no engine can be started the tests are skipped with the reason, and no result file is written;
# with REQUIRE_DOCKER=1 (a CI agent meant to have one) that is a failure instead.
set -uo pipefail
cd "$(dirname "$0")/.."

results="${DOCKER_TEST_RESULTS:-.data/docker-results.json}"
mkdir -p .data/docker "$(dirname "$results")"
rm -f "$results"

started=$SECONDS
bash scripts/docker-engine.sh start
engine=$?
if [ "$engine" = 3 ]; then
  if [ "${REQUIRE_DOCKER:-0}" = 1 ]; then echo "test:docker FAILED: REQUIRE_DOCKER=1 and no Docker engine (reason above)"; exit 1; fi
  echo "test:docker SKIPPED: no Docker engine can be started on this machine (reason above)"
  exit 0
fi
[ "$engine" = 0 ] || exit "$engine"
echo "[docker] engine ready in $((SECONDS - started)) s"
# An interrupted run still stops the engine it started (docker-engine.sh stop leaves others alone).
trap 'bash scripts/docker-engine.sh stop; exit 130' INT TERM

npx jest --config test/docker/jest.config.js --runInBand --json --outputFile="$results" "$@"
status=$?

stopped=$SECONDS
bash scripts/docker-engine.sh stop
echo "[docker] engine stopped in $((SECONDS - stopped)) s; test:docker took $((SECONDS - started)) s in all"
exit "$status"
