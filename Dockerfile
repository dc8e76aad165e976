# kprod in a container: build with the full toolchain, run with production dependencies only.
#   docker build -t kprod .
#   tail -f app.log | docker run -i --rm --network host kprod --topic logs --brokers localhost:9092
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY man ./man
COPY schema ./schema
USER node
ENTRYPOINT ["node", "--max-semi-space-size=4", "bin/kprod.js"]
