/**
 * Refuses a JSON body holding a string (or a member name) that is not well-formed Unicode: a
 * lone UTF-16 surrogate, which JSON's `\ud800` escape can carry. AWS cannot store one, nor can the
 * service's store; the answer is a 400 naming the member, before validation, keyed or not.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ServiceError } from '../errors.ts'

const pointerPart = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1')

/** The JSON pointer of the first ill-formed string in `value`, or undefined when there is none. */
export function illFormedTextAt (value: unknown, pointer = ''): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : pointer
  if (typeof value !== 'object' || value === null) return undefined
  for (const [key, member] of Object.entries(value)) {
    const at = `${pointer}/${pointerPart(key)}`
    if (!key.isWellFormed()) return at
    const found = illFormedTextAt(member, at)
    if (found !== undefined) return found
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
