# kprod in a container: build with the full toolchain, run with production dependencies only.
#   docker build -t kprod .
#   tail -f app.log | docker run -i --rm --network host kprod --topic logs --brokers 127.0.0.1:9092
# -i passes stdin in; without it kprod reads an empty stdin and ends at once.
# test/integration/dockerfile.test.ts replays these steps without a Docker engine.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts/prepare.js scripts/bundle.ts ./scripts/
COPY src ./src
# npm ci builds dist/ (its prepare step); then the dev dependencies go.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/kprod ./dist/kprod
COPY package.json LICENSE ./
COPY bin ./bin
COPY man ./man
COPY schema ./schema
USER node
ENTRYPOINT ["node", "--max-semi-space-size=4", "bin/kprod.js"]
