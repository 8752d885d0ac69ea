#!/bin/sh
# fetch-npm-tarball.sh <url> <sha512 integrity (base64, as the npm registry lists it)> <file>
# Downloads a package tarball from the npm registry and refuses it unless its sha512 matches.
set -eu
url="$1" integrity="$2" file="$3"
curl -fsSL --retry 3 -o "$file" "$url"
wanted="$(printf '%s' "$integrity" | base64 -d | od -An -tx1 -v | tr -d ' \n')"
got="$(sha512sum "$file" | cut -d' ' -f1)"
if [ "$wanted" != "$got" ]; then
  echo "sha512 mismatch for $url" >&2
  rm -f "$file"
  exit 1
fi
