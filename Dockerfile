# One image for the three services; docker-compose.yml picks the entry point per service.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_OPTIONS=--enable-source-maps
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY shared ./shared
COPY services ./services
COPY scripts ./scripts
COPY examples ./examples
USER node
CMD ["node", "--import", "tsx", "services/ingress/main.ts"]
