import { readFile } from 'node:fs/promises'
import { validate } from '@readme/openapi-parser'
import t from 'tap'
import { parse } from 'yaml'
import { generateOpenApiYaml } from '../scripts/openapi-document.ts'

const committed = await readFile(new URL('../openapi.yaml', import.meta.url), 'utf8')

t.test('openapi.yaml matches what the routes generate (run npm run openapi when this fails)', async t => {
  t.equal(await generateOpenApiYaml(), committed)
})

t.test('openapi.yaml is a valid OpenAPI 3.1 document', async t => {
  const document = parse(committed)
  const result = await validate(structuredClone(document))
  t.ok(result.valid, JSON.stringify(result))
  t.equal(document.openapi, '3.1.0')
})

t.test('components are named after the AWS shapes and every operation is documented', async t => {
  const document = parse(committed)
  for (const shape of ['AssociateIdentityProviderConfigRequest', 'OidcIdentityProviderConfigRequest', 'Update', 'OidcIdentityProviderConfig', 'GetOpenIDConnectProviderResponse', 'Problem']) {
    t.ok(document.components.schemas[shape], `component ${shape}`)
  }
  const operations = Object.values(document.paths as Record<string, Record<string, any>>).flatMap(p => Object.values(p))
  for (const op of operations) {
    t.ok(op.operationId && op.summary && op.tags?.length, `${op.operationId} has an id, a summary and tags`)
    const errorStatuses = op.tags.includes('health') ? [] : Object.keys(op.responses).filter(s => Number(s) >= 400)
    for (const status of errorStatuses) {
      t.ok(op.responses[status].content['application/problem+json'], `${op.operationId} ${status} is problem+json`)
    }
  }
  const ids = new Set(operations.map(o => o.operationId))
  t.equal(ids.size, operations.length, 'operationIds are unique')
  for (const id of [
    'listClusters', 'describeCluster', 'getOpenIDConnectProvider', 'putOpenIDConnectProvider', 'deleteOpenIDConnectProvider',
    'listIdentityProviderConfigs', 'associateIdentityProviderConfig', 'describeIdentityProviderConfig',
    'disassociateIdentityProviderConfig', 'listUpdates', 'describeUpdate', 'getHealth', 'getReadiness'
  ]) t.ok(ids.has(id), `operation ${id} is documented`)
})
