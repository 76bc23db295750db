/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The dev server forwards everything the platform serves itself to `make run` on :8000,
// so the app talks to one origin in development exactly as it does in production. The Host
// header is passed on unchanged, so Django's CSRF origin check sees the page's own origin.
const platform = { target: "http://127.0.0.1:8000", changeOrigin: false };

export default defineConfig({
  plugins: [react()],
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: {
      "/api": platform,
      "/admin": platform,
      "/static": platform,
      "/ws": { target: "ws://127.0.0.1:8000", changeOrigin: false, ws: true },
    },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    // Role queries over a whole screen are slow in jsdom, more so on a busy machine.
    testTimeout: 20_000,
  },
});
