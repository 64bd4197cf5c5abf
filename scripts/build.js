#!/usr/bin/env node
// Compiles TypeScript to dist/ and copies the non-code assets the runtime reads (models, seeds, icons).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

const assetExtensions = new Set(['.xml', '.json', '.svg', '.png', '.txt', '.md']);
const assetDirs = ['client', 'credentials', 'nodes', 'connectors', 'emulator'];
function copyAssets(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(from);
    else if (assetExtensions.has(path.extname(entry.name))) {
      const to = path.join(dist, path.relative(root, from));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to);
    }
  }
}
for (const d of assetDirs) if (fs.existsSync(path.join(root, d))) copyAssets(path.join(root, d));
