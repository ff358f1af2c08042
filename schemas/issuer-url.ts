/**
 * The issuer URL, in every request body that names one: one string schema whose `issuer-url`
 * format is the whole rule. The format is checked by src/issuers/issuer-url.ts (registered with
 * Ajv in src/plugins/validation.ts), so every route refuses the same URLs with the same 400.
 */
import { Type } from 'typebox'

export const ISSUER_URL_FORMAT = 'issuer-url'
export const ISSUER_URL_MAX_LENGTH = 2048

/** The rule in words, as the OpenAPI document states it for each issuer URL field. */
export const ISSUER_URL_RULE = [
  `Format \`${ISSUER_URL_FORMAT}\`: at most ${ISSUER_URL_MAX_LENGTH} characters, beginning with \`https://\`, accepted by the WHATWG URL parser;`,
  'no user name or password (not even an empty `@`), no query and no fragment (not even an empty `?` or `#`),',
  'no whitespace or control characters; port 443 unless `EGRESS_ALLOWED_PORTS` allows another;',
  'the issuer itself, not its `/.well-known/openid-configuration` document.',
  'A URL breaking the rule is a 400 `ValidationException` naming the broken part, on every route, with or without `skipIssuerChecks`.'
].join(' ')

export function IssuerUrl (description: string) {
  return Type.String({ format: ISSUER_URL_FORMAT, description: `${description} ${ISSUER_URL_RULE}` })
}
