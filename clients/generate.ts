/**
 * Generates the TypeScript client in clients/generated/ from the committed openapi.yaml with
 * @hey-api/openapi-ts and its bundled fetch client (`npm run client:generate`).
 */
import { fileURLToPath } from 'node:url'
import { createClient } from '@hey-api/openapi-ts'

const ROOT = new URL('../', import.meta.url)
export const SPEC_PATH = fileURLToPath(new URL('openapi.yaml', ROOT))
export const GENERATED_DIR = fileURLToPath(new URL('clients/generated/', ROOT))

export async function generateClient (outputDir: string = GENERATED_DIR): Promise<void> {
  await createClient({
    input: SPEC_PATH,
    output: { path: outputDir, module: { extension: '.ts' } },
    plugins: [
      { name: '@hey-api/client-fetch', baseUrl: false },
      '@hey-api/typescript',
      '@hey-api/sdk'
    ],
    logs: { level: 'silent' }
  })
}

if (import.meta.main) {
  await generateClient()
  console.log(`clients/generated written from ${SPEC_PATH}`)
}
