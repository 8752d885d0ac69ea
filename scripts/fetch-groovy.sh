#!/usr/bin/env bash
# Puts the Groovy 4.0.33 jar into .tools/groovy/ (git-ignored), idempotently: a no-op when it is
# already there and intact. scripts/jenkinsfile-stages.groovy runs on it to parse the Jenkinsfile
# (test/unit/delivery/jenkinsfile.test.ts).
# From Maven Central with curl, or with Maven when curl is missing; checked against a pinned SHA-256.
set -euo pipefail

VERSION=4.0.33
SHA256=5240a9151289115e4d447d6b6d4cb9ac8a9fc6374e079714dfeeffda42323be8
URL="https://repo1.maven.org/maven2/org/apache/groovy/groovy/$VERSION/groovy-$VERSION.jar"

say() { echo "[fetch-groovy] $*" >&2; }
fail() { say "ERROR: $*"; exit 1; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.tools/groovy"
jar="$dir/groovy-$VERSION.jar"

command -v java >/dev/null 2>&1 || fail "java not found on PATH: install a JDK or JRE (11 or later), e.g. apt-get install openjdk-17-jre-headless"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Present and intact: nothing to do. Hashing the jar takes a few milliseconds.
if [ -f "$jar" ] && [ "$(sha256_of "$jar")" = "$SHA256" ]; then exit 0; fi

mkdir -p "$dir"
# Downloaded beside the jar and renamed once verified, so an interrupted run leaves no half jar.
partial="$jar.partial"
trap 'rm -f "$partial"' EXIT

if command -v curl >/dev/null 2>&1; then
  say "downloading $URL"
  curl -fsSL --retry 3 -o "$partial" "$URL" || fail "download failed: $URL"
elif command -v mvn >/dev/null 2>&1; then
  say "fetching org.apache.groovy:groovy:$VERSION with Maven"
  staging="$(mktemp -d)"
  trap 'rm -f "$partial"; rm -rf "$staging"' EXIT
  mvn -B -q -Dstyle.color=never dependency:copy -Dartifact="org.apache.groovy:groovy:$VERSION" -DoutputDirectory="$staging" \
    || fail "mvn dependency:copy failed for org.apache.groovy:groovy:$VERSION"
  mv "$staging/groovy-$VERSION.jar" "$partial"
else
  fail "neither curl nor mvn found: cannot fetch $URL"
fi

actual="$(sha256_of "$partial")"
[ "$actual" = "$SHA256" ] || fail "checksum mismatch for groovy-$VERSION.jar: expected $SHA256, got $actual"
mv "$partial" "$jar"
say "installed $jar"
