/**
 * What a mutating route declares, once, in `config.change`; authorization (a `write` grant on
 * the cluster), the operation record and the audit record all read it. The change's action is
 * the route's operationId.
 */
export interface ChangeDeclaration {
  /** `required`: refused without an Idempotency-Key (or a body clientRequestToken); `optional`: honoured when sent. */
  idempotency: 'required' | 'optional'
  /** The path parameter naming the resource acted on, when the request names one (e.g. `param:configName`). */
  resource?: `param:${string}`
}

export class ChangeDeclarationError extends Error {
  constructor (route: string, problem: string) {
    super(`Route ${route}: ${problem}`)
    this.name = 'ChangeDeclarationError'
  }
}

/** Refuses, at start, a declaration that records cannot follow. */
export function checkChangeDeclaration (route: string, declaration: ChangeDeclaration, operationId: unknown): void {
  if (typeof operationId !== 'string' || operationId === '') {
    throw new ChangeDeclarationError(route, 'declares config.change but has no schema.operationId (the change\'s action)')
  }
  if (declaration.idempotency !== 'required' && declaration.idempotency !== 'optional') {
    throw new ChangeDeclarationError(route, 'config.change.idempotency must be required or optional')
  }
  const param = declaration.resource?.slice('param:'.length)
  if (param !== undefined && !route.includes(`:${param}`)) {
    throw new ChangeDeclarationError(route, `config.change.resource "${declaration.resource}" names no path parameter of the route`)
  }
}

/** The resource a request names, from its path parameters. */
export function declaredResource (declaration: ChangeDeclaration, params: unknown): string | undefined {
  if (declaration.resource === undefined) return undefined
  const value = (params as Record<string, unknown> | undefined)?.[declaration.resource.slice('param:'.length)]
  return typeof value === 'string' ? value : undefined
}
