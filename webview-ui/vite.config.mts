import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The host builds the webview's HTML itself (CSP, nonce), so the build emits only a script and a
// stylesheet, under fixed names the host can point at.
export default defineConfig({
  root: resolve(import.meta.dirname),
  base: './',
  publicDir: false,
  build: {
    outDir: resolve(import.meta.dirname, '../dist/webview'),
    emptyOutDir: true,
    target: 'es2022',
    cssCodeSplit: false,
    modulePreload: false,
    sourcemap: false,
    rolldownOptions: {
      input: resolve(import.meta.dirname, 'src/main.ts'),
      output: {
        entryFileNames: 'index.js',
        chunkFileNames: 'index-[name].js',
        assetFileNames: 'index[extname]',
      },
    },
  },
});
