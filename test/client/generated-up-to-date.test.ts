/**
 * clients/generated/ is committed; regenerating it from the committed openapi.yaml must give the
 * same files byte for byte, so the client cannot drift from the API description.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import t from 'tap'
import { GENERATED_DIR, generateClient } from '../../clients/generate.ts'

async function filesUnder (dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const files = new Map<string, string>()
  for (const entry of entries.filter(e => e.isFile())) {
    const path = join(entry.parentPath, entry.name)
    files.set(relative(dir, path), await readFile(path, 'utf8'))
  }
  return files
}

t.test('regenerating the client from openapi.yaml reproduces clients/generated exactly', async t => {
  const outputDir = await mkdtemp(join(tmpdir(), 'eks-oidc-api-client-'))
  t.teardown(() => rm(outputDir, { recursive: true, force: true }))
  await generateClient(outputDir)

  const committed = await filesUnder(GENERATED_DIR)
  const regenerated = await filesUnder(outputDir)
  t.ok(committed.has('sdk.gen.ts') && committed.has('types.gen.ts'), 'the committed client has its SDK and types')
  t.same([...regenerated.keys()].sort(), [...committed.keys()].sort(), 'the same files (run `npm run client:generate`)')
  for (const [path, text] of regenerated) {
    t.ok(committed.get(path) === text, `${path} is up to date (run \`npm run client:generate\`)`)
  }
})
