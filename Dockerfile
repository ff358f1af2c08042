# syntax=docker/dockerfile:1
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY routes ./routes
COPY schemas ./schemas
RUN npm run build

FROM node:24-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 PGLITE_DIR=/home/node/data/pglite
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts also skips the `node` devDependency's binary download; the image has Node 24.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The same command as `npm start` (test/lifecycle/start-command.test.ts holds them together); the
# flags are explained in docs/operations.md, "Node flags and memory".
CMD ["node", "--no-maglev", "--max-semi-space-size=8", "--max-old-space-size=128", "dist/src/server.js"]
