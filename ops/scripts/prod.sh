#!/usr/bin/env bash
# `npm run deploy:prod [-- --dry-run]` and `npm run logs:prod [-- <service>…]`: Tandem's
# production compose setup (deploy/compose/, docs/operations/deploy.md) with the settings of
# deploy/compose/.env (or TANDEM_ENV_FILE), documented in deploy/compose/.env.example.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

COMPOSE_FILE=deploy/compose/docker-compose.prod.yml
ENV_FILE="${TANDEM_ENV_FILE:-deploy/compose/.env}"
REQUIRED=(TANDEM_DOMAIN TANDEM_ACME_EMAIL TANDEM_SECRETS_KEY POSTGRES_PASSWORD)
command="${1:-}"
shift || true

fail() {
  echo "$*" >&2
  exit 1
}

if [[ ! -f "$ENV_FILE" ]]; then
  fail "No settings file at $ENV_FILE: copy deploy/compose/.env.example there and fill in ${REQUIRED[*]} (or set TANDEM_ENV_FILE)."
fi

# The value a KEY=VALUE line of the env file gives (the file is read, never executed); the
# environment wins, as in docker compose.
setting() {
  local name="$1"
  if [[ -n "${!name:-}" ]]; then
    printf '%s' "${!name}"
    return
  fi
  sed -n "s/^[[:space:]]*${name}[[:space:]]*=[[:space:]]*//p" "$ENV_FILE" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\1/"
}

missing=()
for name in "${REQUIRED[@]}"; do
  [[ -n "$(setting "$name")" ]] || missing+=("$name")
done
if ((${#missing[@]} > 0)); then
  fail "Refusing to deploy: ${missing[*]} not set in $ENV_FILE (see deploy/compose/.env.example and docs/operations/deploy.md)."
fi
# The servers refuse a malformed key too, but only once they start: say it now.
key="$(setting TANDEM_SECRETS_KEY)"
if [[ "$(printf '%s' "${key#*:}" | base64 -d 2>/dev/null | wc -c)" != 32 ]]; then
  fail "Refusing to deploy: TANDEM_SECRETS_KEY in $ENV_FILE must be base64 of 32 random bytes (openssl rand -base64 32), optionally prefixed by an id and a colon."
fi

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  fail "Docker Compose is not installed: install Docker with its compose plugin (or docker-compose)."
fi
compose+=(-p tandem -f "$COMPOSE_FILE" --env-file "$ENV_FILE")

case "$command" in
  deploy)
    if [[ "${1:-}" == "--dry-run" ]]; then
      # What would run, resolved and validated, without building or starting anything.
      exec "${compose[@]}" config
    fi
    "${compose[@]}" config -q
    "${compose[@]}" build
    # Rolling by service: compose stops each old container with SIGTERM (it drains) after
    # starting its replacement's image; clients reconnect to the other replicas meanwhile.
    "${compose[@]}" up -d --remove-orphans
    "${compose[@]}" ps
    echo "Tandem is starting at https://$(setting TANDEM_DOMAIN)/ (npm run logs:prod to follow it)."
    ;;
  logs)
    exec "${compose[@]}" logs -f --tail=200 "$@"
    ;;
  *)
    fail "usage: ops/scripts/prod.sh deploy [--dry-run] | logs [service…]"
    ;;
esac
