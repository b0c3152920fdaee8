#!/usr/bin/env node
// Entry for the `bunker-gateway` command. Runs the compiled CLI when present (an installed package,
// `npm run build`), else the TypeScript source through tsx (a development checkout).
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const compiled = fileURLToPath(new URL('../dist/gateway/cli.js', import.meta.url))
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(new URL('../gateway/cli.ts', import.meta.url).href)
}
