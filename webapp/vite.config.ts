import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The app is served by the product itself (Flask serves dist/); in development, `npm run dev` proxies the
// API and the sign-in routes to the product running on port 8000.
const server = "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      "/api": server,
      "/auth": server,
      "/logga-in": server,
    },
  },
});
