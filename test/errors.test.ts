import t from 'tap'
import { entryOf, PROBLEM_TYPE_BASE, problem, PROBLEMS, ServiceError, wireCodeOf, type ProblemCode } from '../src/errors.ts'

const codes = Object.keys(PROBLEMS) as ProblemCode[]

t.test('one slug, one title wherever the problem type is used', async t => {
  const bySlug = new Map<string, { title: string, code: ProblemCode }>()
  for (const code of codes) {
    const { slug, title } = entryOf(code)
    const first = bySlug.get(slug)
    if (first === undefined) bySlug.set(slug, { title, code })
    else t.equal(title, first.title, `${code} and ${first.code} share the slug ${slug}`)
  }
})

t.test('a wire code shared by several entries is an AWS exception name', async t => {
  const shared = codes.filter(code => entryOf(code).code !== undefined)
  for (const code of shared) {
    const wire = wireCodeOf(code)
    t.ok(/Exception$/.test(wire), `${code} answers ${wire}`)
    t.ok(Object.hasOwn(PROBLEMS, wire), `${wire} is itself a catalogue entry (the AWS exception passed through)`)
  }
})

t.test('problem() renders its entry', async t => {
  const error = problem('ConfigLimit', { detail: 'one config per cluster' })
  t.type(error, ServiceError)
  t.match(error, { status: 409, code: 'ResourceInUseException', slug: 'config-limit', title: 'Conflict with the current state', message: 'one config per cluster', catalogueCode: 'ConfigLimit' })
  t.equal(error.type, `${PROBLEM_TYPE_BASE}config-limit`)
  t.equal(problem('ResourceInUseException').retryAfterSeconds, 60, 'the entry\'s Retry-After by default')
  t.equal(problem('ServiceOverloaded', { retryAfterSeconds: 9 }).retryAfterSeconds, 9, 'the occurrence\'s own delay wins')
  t.equal(problem('UpstreamFailure', { code: 'WeirdException' }).code, 'WeirdException', 'a passed-through name stays the wire code')
  t.equal(problem('BadRequest', { code: 'ERR_RANGE', status: 416 }).status, 416, 'with its origin\'s status')
  t.equal(problem('ValidationException', { status: 418 }).status, 400, 'a status without a passed-through code is the entry\'s')
  t.equal(problem('ClientClosedRequest').message, 'The client closed the connection before the answer', 'the title without a detail')
})

t.test('the audit pipeline has its code', async t => {
  t.same(PROBLEMS.AuditUnavailable, { status: 503, slug: 'audit-unavailable', title: 'The audit record could not be stored' })
})
