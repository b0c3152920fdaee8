/**
 * The status page's static files (page.html, page.css, page.js), read once when the server starts.
 * They sit next to this module in the source tree; a compiled build (`dist/gateway/status/`) has no
 * copies, so the source folder is looked up from there too.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { StatusError } from './status-error.js'

/** One static file as served. */
export interface PageAsset {
  contentType: string
  body: Buffer
}

/** URL path → file name and content type. */
const FILES: Readonly<Record<string, readonly [string, string]>> = {
  '/': ['page.html', 'text/html; charset=utf-8'],
  '/page.css': ['page.css', 'text/css; charset=utf-8'],
  '/page.js': ['page.js', 'text/javascript; charset=utf-8'],
}

/** Folders searched in order: next to this module, then the source folder seen from `dist/gateway/status/`. */
const FOLDERS = [new URL('./', import.meta.url), new URL('../../../gateway/status/', import.meta.url)]

/**
 * Reads every page file, by URL path.
 *
 * @throws {@link StatusError} `ERR_STATUS_ASSETS` when a file is in none of the folders
 */
export async function loadPageAssets(): Promise<Map<string, PageAsset>> {
  const assets = new Map<string, PageAsset>()
  for (const [path, [file, contentType]] of Object.entries(FILES)) {
    assets.set(path, { contentType, body: await readFirst(file) })
  }
  return assets
}

async function readFirst(file: string): Promise<Buffer> {
  for (const folder of FOLDERS) {
    try {
      return await readFile(new URL(file, folder))
    } catch {
      // not in this folder: try the next
    }
  }
  const searched = FOLDERS.map((f) => fileURLToPath(f)).join(', ')
  throw new StatusError('ERR_STATUS_ASSETS', `status page file ${file} not found in ${searched}: reinstall the package or copy gateway/status/page.* there`)
}
