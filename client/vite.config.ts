import { defineConfig, defaultClientConditions } from 'vite';
import solid from 'vite-plugin-solid';

// The API Tandem serves the client from; `npm run dev` proxies to it.
const api = process.env.TANDEM_API ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [solid()],
  // Workspace packages are built from their TypeScript source.
  resolve: { conditions: ['tandem-source', ...defaultClientConditions] },
  server: {
    port: 5173,
    proxy: {
      '/graphql': {
        target: api,
        ws: true,
        // The API accepts websockets from its own origin only.
        configure: (proxy) => proxy.on('proxyReqWs', (request) => request.setHeader('origin', api)),
      },
      '/collab': {
        target: api,
        ws: true,
        configure: (proxy) => proxy.on('proxyReqWs', (request) => request.setHeader('origin', api)),
      },
    },
  },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
});
