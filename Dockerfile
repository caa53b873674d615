# The Vouch image: one image for both processes (docker-compose.yml picks the command):
#   node --max-old-space-size=640 dist/worker/main.js   the Temporal worker (interview workflows and
#                              their activities; the heap limit is worker/heap.ts's, chosen by measurement)
#   node dist/bot/main.js      the Slack bot (Bolt HTTP receiver on BOT_PORT, or Socket Mode)
#   node dist/codec-server/main.js  the codec server that decrypts Temporal payloads for the Web UI
#   node dist/worker/health-check.js FILE SECONDS   the worker's health check (its heartbeat file's age)
# Configuration comes from the environment at run time (see .env.example), secrets from files named by
# <NAME>_FILE variables; nothing secret is baked in. The base image is pinned to an exact Node release.

# --- build: compile the TypeScript sources to dist/ ---
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies and the compiled output only ---
FROM node:20.19.5-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The embedded PostgreSQL (an optional dependency) serves only `npm start`: not in the image.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# Files stay owned by root (read-only for the app); the processes run as the image's unprivileged user.
USER node
EXPOSE 3000
CMD ["node", "--max-old-space-size=640", "dist/worker/main.js"]
