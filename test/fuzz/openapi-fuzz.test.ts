/**
 * Fuzz properties over the app's own OpenAPI document: for every operation, requests drawn from
 * its schemas (valid ones, and ones with one hostile part) go over real HTTP to the real app wired
 * to the emulator. Whatever is asked, the answer has a documented status, no 5xx but deliberate
 * ones, and every error is a documented problem (response-rules.ts).
 *
 * FUZZ_SEED (default fixed) and FUZZ_RUNS (default 5000, spread over the operations) explore
 * further; FUZZ_OPERATION=<operationId> fuzzes one operation only. A failure prints the seed, the
 * shrunk request and the answer.
 */
import t from 'tap'
import fc from 'fast-check'
import { OFFLINE_NETWORK_ERRORS } from './offline-egress.ts'
import { OperationArbitraries, type OpenApiDocument } from './operation-arbitraries.ts'
import { violationsOf, type Deliberate5xx } from './response-rules.ts'
import { startFuzzTarget } from './fuzz-target.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 15)
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000)
const ONLY = process.env.FUZZ_OPERATION
/** Each shrinking step is a request: enough to drop the noise, not to minimise every character. */
const MAX_SHRINKS = 100

/** 5xx answers the API documents on purpose. */
const DELIBERATE_5XX: Deliberate5xx[] = [{
  why: 'an issuer the caller named cannot be reached (502 keeps it out of the idempotency store); in this loopback-only world that is every name and public address',
  matches: problem => problem.code === 'IssuerUnreachable' && (OFFLINE_NETWORK_ERRORS as readonly unknown[]).includes(problem.networkError)
}]

/** Long drawn strings cut for the report (the seed reproduces them whole). */
const shortened = (value: unknown): unknown => {
  if (typeof value === 'string') return value.length > 300 ? `${value.slice(0, 300)}…(${value.length} characters)` : value
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, shortened(member)]))
  return value
}

/** A per-operation seed, so adding an operation does not change what the others draw. */
const seedOf = (operationId: string) => [...operationId].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0, SEED >>> 0) | 0

t.test('every operation answers requests drawn from its OpenAPI schemas with documented statuses and problems, never an unplanned 5xx', async t => {
  const target = await startFuzzTarget(t)
  const document = target.app.swagger() as unknown as OpenApiDocument
  const operations = new OperationArbitraries(document, target.dictionary, target.formats).operations().filter(op => ONLY === undefined || op.operation.operationId === ONLY)
  t.ok(operations.length > 0, `${operations.length} operations`)
  const runsEach = Math.ceil(RUNS / operations.length)
  let cases = 0

  const fuzz = async ({ method, template, operation, requests }: typeof operations[number]) => {
    const details = await fc.check(fc.asyncProperty(fc.limitShrink(requests, MAX_SHRINKS), target.credentials, async (request, authorization) => {
      const answer = await target.send(request, authorization)
      const violations = violationsOf(operation, request, answer, DELIBERATE_5XX)
      if (violations.length === 0) return
      throw new Error(`${violations.join('; ')}\n  answer: ${answer.status} ${answer.text.slice(0, 600)}`)
    }), { seed: seedOf(operation.operationId), numRuns: runsEach, endOnFailure: false })
    cases += details.numRuns
    if (!details.failed) return t.pass(`${method} ${template}: ${details.numRuns} cases`)
    const [request, authorization] = details.counterexample ?? []
    t.fail(`${method} ${template} (${operation.operationId}): ${(details.errorInstance as Error | undefined)?.message ?? 'failed'}`, {
      request: shortened(request),
      authorization: authorization === undefined ? '(none)' : shortened(authorization),
      seed: details.seed,
      counterexamplePath: details.counterexamplePath,
      reproduce: `FUZZ_SEED=${SEED} FUZZ_OPERATION=${operation.operationId} npx tap test/fuzz/openapi-fuzz.test.ts`
    })
  }
  // One operation after another, so that a seed replays the same sequence of changes to the emulator.
  for (const operation of operations) await fuzz(operation)

  t.comment(`fuzz: ${cases} cases over ${operations.length} operations, seed ${SEED}`)
  t.ok(cases >= RUNS, `${cases} cases, at least ${RUNS}`)
})
