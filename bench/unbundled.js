// kprod from tsc's output (dist/src), one module per source file, instead of the bundle that
// bin/kprod.js runs: the same code, but a CPU profile then names each frame's source file, which
// bench/profile.ts sorts into pipeline stages. Used for the profile runs only.
import { run } from '../dist/src/cli/main.js'

await run()
