#!/usr/bin/env bash
# Builds the k6 load generator at a pinned version into .tools/bin (git-ignored), for
# `npm run bench:api`, `npm run test:load` and its smoke run in the suite. Reused when already built (stamp file .tools/k6.version).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="v2.2.0"
module="go.k6.io/k6/v2"
tools="$root/.tools"
bin="$tools/bin/k6"
stamp="$tools/k6.version"

if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "k6 is built with Go: install Go 1.25 or newer (npm run bench:api falls back to its Node load generator meanwhile)." >&2
  exit 1
fi
mkdir -p "$tools/bin"
rm -f "$stamp"
echo "Building k6 $version (first run only, a few minutes)..." >&2
if ! GOBIN="$tools/bin" go install "$module@$version"; then
  # `go install module@version` also asks the proxy for the module's latest version (its
  # deprecation check) and gives up when the proxy cannot list versions. Building the
  # downloaded module in its own directory uses its go.mod and go.sum exactly the same way.
  echo "go install failed; building k6 from the downloaded module instead" >&2
  dir="$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [ -z "$dir" ] || [ ! -f "$dir/go.mod" ]; then
    echo "could not download $module@$version" >&2
    exit 1
  fi
  (cd "$dir" && go build -trimpath -o "$bin" .)
fi
echo "$version" > "$stamp"
