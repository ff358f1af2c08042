/**
 * Writes openapi.yaml from the routes (npm run openapi), or with --check fails when the committed
 * file differs from what the code generates (npm run openapi:check).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { generateOpenApiYaml } from './openapi-document.ts'

const target = new URL('../openapi.yaml', import.meta.url)
const generated = await generateOpenApiYaml()

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '')
  if (committed !== generated) {
    console.error('openapi.yaml is stale: run npm run openapi')
    process.exit(1)
  }
  console.log('openapi.yaml is up to date')
} else {
  await writeFile(target, generated)
  console.log('wrote openapi.yaml')
}
