import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const LIBS = fileURLToPath(new URL('../../libs/', import.meta.url));

/** The administrators' console: built into dist/console, served by config-service at /console/. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  // Each rule the console uses by its own module: the bundle holds what the page runs, not the libraries' barrels (zod, the catalog).
  resolve: { alias: [{ find: /^@kite\/(contracts|domain)\/(.*)$/, replacement: `${LIBS}$1/src/$2` }] },
  build: { outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)), emptyOutDir: true },
});
