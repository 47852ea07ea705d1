#!/usr/bin/env bash
# Builds the Temporal CLI (which embeds the dev server) at a pinned version into .tools/bin.
# Reused when already built. Later CLI releases carry a replace directive and cannot be go-installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="v1.5.1"
tools="$root/.tools"
bin="$tools/bin/temporal"
stamp="$tools/temporal.version"

if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "Tandem needs the Temporal CLI: install Go 1.25 or newer so it can be built, or set TEMPORAL_ADDRESS to an existing Temporal server." >&2
  exit 1
fi
mkdir -p "$tools/bin"
echo "Building the Temporal CLI $version with go install (first run only, a few minutes)..." >&2
GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$version"
echo "$version" > "$stamp"
