// Preloaded into a kprod child (see sdk-load.ts): names every @aws-sdk/* and @smithy/* module it
// resolves, on stderr when it exits.

import { registerHooks } from 'node:module'
import { SDK_LOAD_PREFIX } from './sdk-load.ts'

const loaded = new Set<string>()
registerHooks({
  resolve (specifier, context, next) {
    if (specifier.startsWith('@aws-sdk/') || specifier.startsWith('@smithy/')) loaded.add(specifier)
    return next(specifier, context)
  }
})
process.on('exit', () => { process.stderr.write(`${SDK_LOAD_PREFIX}${JSON.stringify([...loaded])}\n`) })
