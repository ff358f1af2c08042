/**
 * What every answer of the API must be, whatever was asked: a status the operation documents, no
 * 5xx but deliberate ones, every error an RFC 9457 problem whose type the operation documents for
 * that status, validation errors naming a member of the part that was spoiled, and the request id.
 */
import { PROBLEM_TYPE_BASE } from '../../src/errors.ts'
import type { FuzzRequest, Operation } from './operation-arbitraries.ts'

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export interface Problem {
  type?: unknown
  code?: unknown
  status?: unknown
  errors?: Array<{ pointer?: unknown, detail?: unknown }>
  [extension: string]: unknown
}

/** A 5xx answer that is the API's documented, deliberate answer and not a defect. */
export interface Deliberate5xx {
  why: string
  matches (problem: Problem, answer: Answer): boolean
}

/** Where Fastify's validation points for each part of a request. */
const POINTER_BASE: Partial<Record<FuzzRequest['hostile'], string>> = { path: '/params', query: '/querystring', header: '/headers', body: '/body' }

const mediaType = (value: unknown) => String(value ?? '').split(';')[0].trim().toLowerCase()

export function parseProblem (answer: Answer): Problem | undefined {
  if (mediaType(answer.headers['content-type']) !== 'application/problem+json') return undefined
  try {
    return JSON.parse(answer.text)
  } catch {
    return undefined
  }
}

export function violationsOf (operation: Operation, request: FuzzRequest, answer: Answer, deliberate: readonly Deliberate5xx[]): string[] {
  const violations: string[] = []
  const documented = operation.responses[String(answer.status)]
  if (documented === undefined) violations.push(`status ${answer.status} is not documented for ${operation.operationId}`)
  if (answer.headers['x-request-id'] === undefined) violations.push('no X-Request-Id header')

  if (answer.status < 400) {
    const allowed = Object.keys(documented?.content ?? {})
    const type = mediaType(answer.headers['content-type'])
    if (allowed.length > 0 && answer.text !== '' && !allowed.includes(type)) violations.push(`content type ${type || '(none)'} is not one of ${allowed.join(', ')}`)
    return violations
  }

  const problem = parseProblem(answer)
  const documentedAsProblem = documented?.content?.['application/problem+json'] !== undefined
  if (problem === undefined) {
    if (answer.status < 500 || documentedAsProblem) violations.push(`a ${answer.status} that is not an application/problem+json body: ${answer.text.slice(0, 200)}`)
    return violations
  }
  if (answer.status >= 500 && !deliberate.some(d => d.matches(problem, answer))) violations.push(`a ${answer.status} (${String(problem.code)}) where no 5xx is deliberate`)
  if (problem.status !== answer.status) violations.push(`problem status ${String(problem.status)} differs from ${answer.status}`)
  if (typeof problem.code !== 'string' || problem.code === '') violations.push('problem without a code')
  const slug = typeof problem.type === 'string' && problem.type.startsWith(PROBLEM_TYPE_BASE) ? problem.type.slice(PROBLEM_TYPE_BASE.length) : undefined
  if (slug === undefined) violations.push(`problem type ${String(problem.type)} is not under ${PROBLEM_TYPE_BASE}`)
  else if (documented !== undefined && !documented.description.includes(`(\`${slug}\`)`)) violations.push(`problem type ${slug} (${String(problem.code)}) is not documented for ${answer.status}`)

  if (problem.code === 'ValidationException') {
    const pointers = (problem.errors ?? []).map(e => e.pointer)
    if (pointers.length === 0 || !pointers.every(p => typeof p === 'string' && p.startsWith('/'))) violations.push('validation problem without a JSON pointer per failing member')
    if (!(problem.errors ?? []).every(e => typeof e.detail === 'string' && e.detail !== '')) violations.push('validation problem without the rule that failed')
    const base = POINTER_BASE[request.hostile]
    if (base !== undefined && !pointers.some(p => typeof p === 'string' && (p === base || p.startsWith(base + '/')))) {
      violations.push(`only the ${request.hostile} was spoiled, but no pointer is under ${base}: ${pointers.join(', ')}`)
    }
  }
  return violations
}
