# slim-gateway container image (README, "Container image").
#   docker build -t slim-gateway .
#   docker run -e SLIM_SHARED_SECRET=... -e SLIM_GATEWAY_TOKEN=... -p 46357:46357 -p 8080:8080 slim-gateway
#   docker run -v $PWD/gateway.yaml:/etc/slim-gateway/gateway.yaml:ro ... slim-gateway     # your own file
#   docker run --no-healthcheck -p 46357:46357 slim-gateway node --listen 0.0.0.0:46357    # a bare SLIM node
# Stage 1 installs everything, compiles and bundles (scripts/bundle.mjs); stage 2 installs
# production dependencies only, takes the bundle, and runs as the unprivileged `node` user. RUN
# lines use paths relative to WORKDIR (test/integration/dockerfile.test.ts replays them in a
# temporary folder).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build is below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY examples ./examples
COPY scripts/bundle.mjs ./scripts/
RUN npx tsc -p tsconfig.build.json && node scripts/bundle.mjs

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY config ./config
COPY --from=build /app/dist/bundle ./dist/bundle
# The example MCP client (its library is a production dependency); the demo's server and agent
# need devDependencies and stay out.
COPY --from=build /app/dist/examples/clients ./dist/examples/clients
COPY config/container.yaml /etc/slim-gateway/gateway.yaml
USER node
# 46357: the SLIM node (embedded, or `slim-gateway node`); 8080: probes, metrics and local routes.
EXPOSE 46357 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/app/bin/slim-gateway", "healthcheck", "--config", "/etc/slim-gateway/gateway.yaml"]
# The gateway's V8 flags (src/cli/node-flags.ts): the same as the launcher's `#!` line.
ENTRYPOINT ["node", "--max-semi-space-size=1", "--v8-pool-size=1", "/app/bin/slim-gateway"]
CMD ["run", "--config", "/etc/slim-gateway/gateway.yaml"]
