/**
 * Reads this package's own package.json, wherever the code runs from (the source tree through tsx, or
 * the compiled `dist/` copy one level deeper).
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The fields of package.json the gateway reports. */
export interface PackageInfo {
  name: string
  version: string
}

/** Finds the nearest package.json above this module and returns its name and version. */
export function packageInfo(): PackageInfo {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as Partial<PackageInfo>
      if (pkg.name === 'bunker-gateway') return { name: pkg.name, version: pkg.version ?? '0.0.0' }
    }
    const parent = dirname(dir)
    if (parent === dir) return { name: 'bunker-gateway', version: '0.0.0' }
    dir = parent
  }
}
