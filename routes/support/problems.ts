import { Problem, Ref } from '../../schemas/common.ts'

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid (a field breaks a rule, or AWS refused a parameter).',
  401: 'Credentials are missing or invalid.',
  403: 'The caller has no grant for this action on this cluster.',
  404: 'The cluster or resource does not exist.',
  409: 'Conflicts with the current state (cluster busy, config exists, quota reached, request in progress).',
  422: 'The Idempotency-Key was already used with a different request.',
  429: 'Too many requests from this caller.',
  502: 'AWS failed or refused the service\'s call.',
  503: 'AWS or the service is unavailable or throttled; retry after the Retry-After delay.',
  504: 'AWS did not answer in time; retrying with the same Idempotency-Key is safe.'
}

/** Problem responses for the listed statuses, plus the ones every AWS-backed route can give. */
export function problems (...statuses: number[]) {
  const all = [...new Set([...statuses, 400, 502, 503, 504])].sort()
  return Object.fromEntries(all.map(status => [status, {
    description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem details.',
    content: { 'application/problem+json': { schema: Ref(Problem) } }
  }]))
}
