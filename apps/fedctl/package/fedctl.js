#!/usr/bin/env node
// Entry of the `fedctl` bin: runs the compiled CLI from the checkout's dist/ (built by `npm run build`,
// which `npm install` runs through the root package's `prepare` script).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const entry = join(root, 'dist', 'apps', 'fedctl', 'src', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`fedctl: not built yet; run "npm run build" in ${root}\n`);
  process.exit(1);
}
await import(pathToFileURL(entry).href);
