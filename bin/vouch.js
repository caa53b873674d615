#!/usr/bin/env node
// The `vouch` command: runs the compiled CLI when built (`npm run build`), else the TypeScript source through tsx.
const fs = require('node:fs');
const path = require('node:path');
const compiled = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (fs.existsSync(compiled)) require(compiled);
else {
  require('tsx/cjs');
  require(path.join(__dirname, '..', 'cli', 'main.ts'));
}
