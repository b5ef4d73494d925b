// The esbuild options of `custom.esbuild` in serverless.yml, for the scripts
// that bundle the functions themselves to measure them (sourcemap and
// external are left to each measurement).
import type { BuildOptions } from 'esbuild';

export const bundleOptions: BuildOptions = {
  bundle: true,
  minify: true,
  keepNames: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
};
