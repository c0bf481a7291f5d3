#!/usr/bin/env node
// The `ecgrad` command. Runs the compiled CLI (dist/, built by `npm ci` / `npm run build`).
import('../dist/cli/run.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('ecgrad: dist/ is missing; run `npm run build` (npm ci runs it for you)');
    process.exit(1);
  }
  throw e;
});
