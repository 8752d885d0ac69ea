# The worker, CLI and (later) API image. Engines come from docker-compose.yml, so the image needs
# no Python or Go: every engine URL is set by the environment.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY lib lib
COPY workflows workflows
COPY activities activities
COPY worker worker
COPY cli cli
COPY stack stack
COPY bench bench
COPY scripts scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY bin bin
COPY data data
USER node
ENTRYPOINT ["node", "bin/mlops.js"]
CMD ["worker"]
