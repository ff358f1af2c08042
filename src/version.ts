import { existsSync, readFileSync } from 'node:fs'

/** The package version, found from source (src/) and from the build (dist/src/) alike. */
export function packageVersion (): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    const url = new URL(candidate, import.meta.url)
    if (existsSync(url)) return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version
  }
  return '0.0.0'
}
