# syntax=docker/dockerfile:1
# Tandem's container images, from one Dockerfile (see docs/operations/deploy.md):
#   docker build --target api -t tandem-api .        the API server with the built web client (the default target)
#   docker build --target worker -t tandem-worker .  the Temporal worker
# Both run as the unprivileged `node` user and take their settings from the environment
# (README.md, "Configuration"). Neither embeds a Temporal dev server: set TEMPORAL_ADDRESS.
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. The package manifests of every workspace (npm ci installs from the lock file as a whole),
# and compilers: better-sqlite3 compiles from source when no prebuilt binary matches.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY schema/package.json schema/
COPY worker/package.json worker/
COPY server/package.json server/
COPY ops/package.json ops/
COPY benchmarks/package.json benchmarks/
COPY client/package.json client/
# npm ci's postinstall makes JSONata's parser build its symbol table once (the script says why).
COPY ops/scripts/patch-jsonata.mjs ops/scripts/

# 2. Everything compiled: TypeScript packages into */dist, the interpreter's workflow bundle, the web client.
FROM manifests AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY schema schema
COPY worker worker
COPY server server
COPY ops ops
COPY client client
RUN npm run build && npm run build:client

# 3. The application as it runs: production dependencies only (no compilers, test tools or
# the client's build chain; workspaces' own nested node_modules included), the compiled
# packages and the built client.
FROM manifests AS app
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/schema/dist schema/dist
COPY --from=build /app/worker/dist worker/dist
COPY --from=build /app/server/dist server/dist
COPY --from=build /app/ops/dist ops/dist
COPY --from=build /app/client/dist client/dist

# 4. What both images share, on a clean base (the compilers stay behind).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    TANDEM_DATA_DIR=/var/lib/tandem
WORKDIR /app
COPY --from=app /app /app
# The code is root's and read-only to the process; only the data directory is writable
# (an SQLite file or a generated secrets key when no DATABASE_URL or TANDEM_SECRETS_KEY is set).
RUN mkdir -p /var/lib/tandem && chown node:node /var/lib/tandem
USER node
# SIGTERM reaches node directly (no npm or shell in between): it drains, then exits.
STOPSIGNAL SIGTERM

# 5. The worker: polls the installation's task queue; finishes activities in flight within
# TANDEM_SHUTDOWN_GRACE_MS on SIGTERM. No HTTP port: its health is Temporal's poller list
# (`temporal task-queue describe`) and the API's /readyz.
FROM runtime AS worker
HEALTHCHECK NONE
# Into every thread of the process (Temporal's workflow thread included): one full collection when
# a burst of runs is over gives back the heap it grew (ops/src/memory-release.ts).
ENV NODE_OPTIONS="--require /app/ops/dist/memory-release-preload.js"
CMD ["node", "ops/dist/worker-main.js"]

# 6. The API server with the web client (last, so a plain `docker build` makes it).
FROM runtime AS api
ENV PORT=4000
EXPOSE 4000
# Liveness: /healthz answers while the process serves. Readiness (/readyz: database, Redis,
# Temporal…) is for load balancers and Kubernetes' readinessProbe, not for restarting.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "ops/dist/api-main.js"]
