# slim-gateway container image. Build: docker build -t slim-gateway .
# Run:   docker run -v $PWD/gateway.yaml:/etc/slim-gateway/gateway.yaml slim-gateway
#        docker run -p 46357:46357 slim-gateway node --listen 0.0.0.0:46357
# Stage 1 installs everything and compiles; stage 2 keeps only production dependencies and the
# compiled code, and runs as the unprivileged `node` user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; we build below.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
RUN npx tsc -p tsconfig.json && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist/src ./dist/src
USER node
# 46357: the SLIM node (embedded or `slim-gateway node`); 8080: local MCP/A2A endpoints.
EXPOSE 46357 8080
ENTRYPOINT ["node", "/app/bin/slim-gateway"]
CMD ["run", "--config", "/etc/slim-gateway/gateway.yaml"]
