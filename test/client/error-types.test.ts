/**
 * The generated client types the errors the service documents: every authenticated operation
 * (an SDK function sending the bearer token) declares 401, 403 and 429 problems; public ones (the probes)
 * none of them; and a JSON answer is never typed as a string because of the SSE alternative.
 */
import { readFile } from 'node:fs/promises'
import t from 'tap'
import type { DescribeClusterErrors, DescribeUpdateResponses, Problem, PutOpenIdConnectProviderErrors } from '../../clients/index.ts'

const generated = (file: string) => readFile(new URL(`../../clients/generated/${file}`, import.meta.url), 'utf8')
const [sdk, types] = await Promise.all([generated('sdk.gen.ts'), generated('types.gen.ts')])

interface SdkFunction { name: string, errors: string, authenticated: boolean }

/** `export const name = ….get<…Responses, …Errors, ThrowOnError>({ security: […], url: … })`, per SDK function. */
function sdkFunctions (): SdkFunction[] {
  return [...sdk.matchAll(/export const (\w+) = [^\n]*?<\w+Responses, (\w+Errors), ThrowOnError>\(\{([^]*?)url:/g)]
    .map(([, name, errors, options]) => ({ name, errors, authenticated: options.includes('security:') }))
}

function errorStatuses (typeName: string): number[] {
  const body = types.match(new RegExp(`export type ${typeName} = \\{([^]*?)\\n\\};`))?.[1]
  if (body === undefined) throw new Error(`${typeName} is not in types.gen.ts`)
  return [...body.matchAll(/^ {4}(\d{3}):/gm)].map(([, status]) => Number(status))
}

t.test('authenticated operations type 401, 403 and 429; public ones (the probes) none of them', async t => {
  const functions = sdkFunctions()
  t.ok(functions.filter(f => f.authenticated).length >= 20, `${functions.length} SDK functions`)
  t.ok(functions.some(f => f.name === 'getHealth' && !f.authenticated), 'getHealth sends no token')
  for (const fn of functions) {
    const statuses = errorStatuses(fn.errors)
    if (fn.authenticated) t.ok([401, 403, 429].every(s => statuses.includes(s)), `${fn.name}: ${statuses.join(' ')}`)
    else t.ok(!statuses.includes(401) && !statuses.includes(403) && !statuses.includes(429), `${fn.name} (public): ${statuses.join(' ')}`)
  }
})

// Compile-time checks (npm run typecheck): they fail to compile when the client loses them.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const authErrorsTyped: Exactly<DescribeClusterErrors[401 | 403 | 429], Problem> = true
const idempotencyErrorsTyped: Exactly<PutOpenIdConnectProviderErrors[409 | 413 | 415 | 422], Problem> = true
const updateIsJson: Exactly<DescribeUpdateResponses[200], { update: DescribeUpdateResponses[200]['update'] }> = true

t.test('the compile-time checks hold', async t => {
  t.same([authErrorsTyped, idempotencyErrorsTyped, updateIsJson], [true, true, true])
})
