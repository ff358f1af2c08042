/**
 * Refuses a JSON body holding a string (or a member name) that is not well-formed Unicode: a
 * lone UTF-16 surrogate, which JSON's `\ud800` escape can carry. AWS cannot store one, nor can the
 * service's store; the answer is a 400 naming the member, before validation, keyed or not.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ServiceError } from '../errors.ts'

const pointerPart = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1')

/**
 * The JSON pointer of the first ill-formed string in `value` (depth first, a member's name before
 * its value), or undefined when there is none. It walks with its own stack: a body within the
 * size limit can nest deeper than the call stack reaches.
 */
export function illFormedTextAt (value: unknown, pointer = ''): string | undefined {
  const pending: Array<{ name?: string, value: unknown, pointer: string }> = [{ value, pointer }]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.name !== undefined && !next.name.isWellFormed()) return next.pointer
    if (typeof next.value === 'string') {
      if (!next.value.isWellFormed()) return next.pointer
    } else if (typeof next.value === 'object' && next.value !== null) {
      const members = Object.entries(next.value)
      for (let i = members.length - 1; i >= 0; i--) {
        const [name, member] = members[i]
        pending.push({ name, value: member, pointer: `${next.pointer}/${pointerPart(name)}` })
      }
    }
  }
  return undefined
}

async function wellFormedText (app: FastifyInstance): Promise<void> {
  app.addHook('preValidation', async (request) => {
    const at = illFormedTextAt(request.body)
    if (at === undefined) return
    const detail = 'must be well-formed Unicode (it holds a lone UTF-16 surrogate, which AWS cannot store)'
    throw new ServiceError({
      status: 400,
      code: 'ValidationException',
      slug: 'validation-failed',
      title: 'The request does not match the API schema',
      detail: `/body${at} ${detail}`,
      errors: [{ pointer: `/body${at}`, detail }]
    })
  })
}

export default fp(wellFormedText, { name: 'well-formed-text' })
