import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// Served by the stack's Console function: index.html at `/`, everything else under `/console/`.
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: {
    outDir: "../functions/console/static",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
  },
  server: {
    // `npm run dev` for console work: the API is the local cloud's.
    proxy: { "/v1": "http://127.0.0.1:3000", "/health": "http://127.0.0.1:3000" },
  },
  test: { include: ["src/**/*.test.ts"], root: "." },
});
