import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// Relative asset paths and no inline scripts: the app's CSP is `script-src 'self'`.
export default defineConfig({
  plugins: [react()],
  base: "./",
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
