// Bundles the CLI that tsc compiled into dist/src into a few files under dist/kprod, which is what
// bin/kprod.js runs. Start-up is most of a short run, and Node resolves, links and compiles each
// ES module on its own: one file instead of ~45 (commander included) saves about 10 ms of the
// ~65 ms a one-line run takes (bench/README.md). The transports stay separate chunks, loaded only
// when chosen; kafkajs, the AWS SDK and MSK IAM signer, cli-progress and the optional native CRC
// stay in node_modules.

import { rmSync } from 'node:fs'
import { build, type Plugin } from 'esbuild'

// commander imports `node:process`, whose ES module facade reads every property of `process` and
// so runs its lazy getters (the report, finalization, process.stdin) at each start: its default
// export is the global `process`, which the bundle can use directly.
const globalProcess: Plugin = {
  name: 'global-process',
  setup (b) {
    b.onResolve({ filter: /^(node:)?process$/ }, () => ({ path: 'process', namespace: 'global-process' }))
    b.onLoad({ filter: /.*/, namespace: 'global-process' }, () => ({ contents: 'export default globalThis.process', loader: 'js' }))
  }
}

// Chunk names carry a content hash: clear out the previous build's.
rmSync('dist/kprod', { recursive: true, force: true })

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outdir: 'dist/kprod',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  external: ['kafkajs', '@aws-sdk/*', '@smithy/*', '@node-rs/*', 'cli-progress', 'snappy', 'lz4-napi', 'aws-msk-iam-sasl-signer-js'],
  plugins: [globalProcess],
  logLevel: 'warning'
})
