# The application image: one image runs `mlops worker --queue io|cpu` or `mlops api` (the default).
# Engines are reached through the URL variables (TEMPORAL_ADDRESS, REDIS_URL, …): see docker-compose.yml.
#   docker build -t arxiv-mlops:dev .
#   docker build --build-arg NODE_IMAGE=arxiv-mlops-offline/node:20.20.2-bookworm .   # offline base
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY lib lib
COPY workflows workflows
COPY activities activities
COPY worker worker
COPY api api
COPY cli cli
COPY stack stack
COPY bench bench
COPY scripts scripts
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
# tini as PID 1 forwards SIGTERM to node and reaps children, so `docker stop` is prompt.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    MLOPS_DATA_DIR=/var/lib/arxiv-mlops
WORKDIR /app
COPY --from=build /build/node_modules node_modules
COPY --from=build /build/dist dist
COPY package.json ./
COPY bin bin
COPY data data
# Files read at run time beside the compiled code (dockerfiles.test.ts checks none is missing).
COPY api/page api/page
COPY lib/monitoring/report-client.js lib/monitoring/report-client.js
COPY lib/embedding/kernels.wasm lib/embedding/kernels.wasm
RUN mkdir -p /var/lib/arxiv-mlops && chown 1000:1000 /var/lib/arxiv-mlops
USER 1000:1000
EXPOSE 8080
# Both the API and a worker started with --health-port 8080 answer GET /healthz.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "bin/healthcheck.js", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["tini", "--", "node", "bin/mlops.js"]
CMD ["api", "--host", "0.0.0.0", "--port", "8080", "--wait-for-model"]
