# syntax=docker/dockerfile:1
# node:24-slim (Node 24.19.0, Debian bookworm), pinned by the digest of its multi-platform image
# index as docker-library/repo-info records it (repos/node/remote/24-slim.md at commit 2534b85).
# To move to a newer build: `docker buildx imagetools inspect node:24-slim` prints the index digest.
ARG NODE_IMAGE=node:24-slim@sha256:cd84903a12dbd26b46f1f3b8144a2568c41c5d37ddd0c7a80a34c7a19786b35f

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY routes ./routes
COPY schemas ./schemas
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/home/node/data
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts also skips the `node` devDependency's binary download; the image has Node 24.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The embedded store (one file, eks-oidc-api.sqlite), when DATABASE_URL is unset. Created owned by
# node before the VOLUME, so that a new named volume starts with that owner.
RUN mkdir -p /home/node/data && chown node:node /home/node/data
VOLUME /home/node/data
USER node
EXPOSE 3000
# A start takes about 1.5 s of CPU; on a 2-core machine loaded far beyond its cores it took up to
# 8.4 s to ready (docs/performance.md, "Start-up"). The start period covers that with room.
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The same command as `npm start` (test/lifecycle/start-command.test.ts holds them together); the
# flags are explained in docs/operations.md, "Node flags and memory".
CMD ["node", "--no-maglev", "--max-semi-space-size=8", "--max-old-space-size=128", "dist/src/server.js"]
