// Bundles the CLI that tsc compiled into dist/src, commander included, into one CommonJS file,
// dist/kprod/main.cjs, which bin/kprod.js loads with require(). Start-up is most of a short run,
// and Node resolves, links and compiles each ES module on its own: one file instead of ~45 saves
// about 10 ms. CommonJS rather than ES chunks saves about 8 ms of CPU more per one-line run
// (bench/README.md): each ES chunk is linked on its own, and an ES import of a built-in builds
// its ES facade, which reads every export and so runs lazy getters, where require() only returns
// the module. The parts loaded on demand (each transport, --dry-run, the progress bar,
// --checkpoint, the SASL code) stay in the file as functions that run on first use. kafkajs, the
// AWS SDK and MSK IAM signer, cli-progress, the codecs and the optional native CRC stay in
// node_modules.

import { rmSync } from 'node:fs'
import { build, type Plugin } from 'esbuild'

// commander imports node:child_process (and with it node:dgram and more) for executable
// subcommands, which kprod has none of: it gets a stand-in that loads the module on first use.
const lazyChildProcess: Plugin = {
  name: 'lazy-child-process',
  setup (b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) => /[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined)
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: 'module.exports = { spawn: (...args) => require(\'node:child_process\').spawn(...args) }',
      loader: 'js'
    }))
  }
}

rmSync('dist/kprod', { recursive: true, force: true })

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/kprod/main.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  external: ['kafkajs', '@aws-sdk/*', '@smithy/*', '@node-rs/*', 'cli-progress', 'snappy', 'lz4-napi', 'aws-msk-iam-sasl-signer-js'],
  // The sources are ES modules: strict mode, and import.meta.url for the files found next to them.
  banner: { js: '\'use strict\'\nconst importMetaUrl = require(\'node:url\').pathToFileURL(__filename).href' },
  define: { 'import.meta.url': 'importMetaUrl' },
  plugins: [lazyChildProcess],
  logLevel: 'warning'
})
