#!/usr/bin/env node
// Thin shim: the compiled CLI does everything (npm run build creates dist/).
import { run } from '../dist/src/cli/main.js'

await run()
