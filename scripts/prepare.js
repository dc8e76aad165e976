// npm's prepare step (after npm ci / npm install in a checkout, before npm pack): builds dist/.
// Plain JavaScript on purpose, so that it runs on the Node that npm happens to have: on a Node
// older than 22.18 (which cannot run the TypeScript build scripts) an install still succeeds and
// says how to build, while a pack or publish, which would ship no dist/, fails.

import { spawnSync } from 'node:child_process'

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '')
  process.stderr.write([
    `kprod: cannot build dist/ with Node ${process.version}: kprod needs Node >= 22.18.`,
    packing ? 'kprod: the package would have no dist/, so this step fails.' : 'kprod: the npm packages are installed; dist/ is not built.',
    'kprod: bash scripts/demo or bash scripts/test install Node 24 into .local/node and build;',
    'kprod: or put a Node >= 22.18 on PATH and run: npm run build',
    ''
  ].join('\n'))
  process.exit(packing ? 1 : 0)
}
// The same two steps as npm run build, run with this very Node.
for (const args of [['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], ['scripts/bundle.ts']]) {
  const step = spawnSync(process.execPath, args, { stdio: 'inherit' })
  if (step.status !== 0) process.exit(step.status ?? 1)
}
