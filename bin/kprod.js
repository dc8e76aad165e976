#!/usr/bin/env -S node --max-semi-space-size=4
// Thin shim: the compiled CLI does everything (npm run build creates dist/: tsc, then one CommonJS
// bundle, loaded with require() since that starts faster than ES modules: scripts/bundle.ts).
// --max-semi-space-size=4 (MiB): kprod keeps many short-lived records alive for a few
// milliseconds, and V8 then grows its young generation to 32 MiB per semi-space. Capped at 4 MiB,
// W1 (1M lines) peaks at about 110 MB of RSS instead of about 230 MB and needs less CPU, since
// fewer fresh pages are faulted in (bench/README.md). `node bin/kprod.js` runs without the cap.
import { createRequire, enableCompileCache } from 'node:module'

// V8 keeps the compiled bundle in Node's compile cache (os.tmpdir()/node-compile-cache, as tsc
// does; NODE_DISABLE_COMPILE_CACHE=1 turns it off; a cache that cannot be written is skipped):
// about 12 ms of CPU less per start, a tenth of a one-line run (bench/README.md).
enableCompileCache()
await createRequire(import.meta.url)('../dist/kprod/main.cjs').run()
