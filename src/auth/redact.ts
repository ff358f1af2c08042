/**
 * pino `redact` paths that keep credentials out of the logs. Fastify's default request serializer
 * logs no headers, but custom serializers, error objects and `log.info({ headers })` calls could.
 * Use as: `logger: { redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }`.
 */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-amz-security-token']

export const LOG_REDACT_PATHS: readonly string[] = [
  ...SECRET_HEADERS.flatMap(header => [
    `req.headers["${header}"]`,
    `res.headers["${header}"]`,
    `headers["${header}"]`,
    `*.headers["${header}"]`
  ]),
  'token',
  '*.token',
  'idToken',
  '*.idToken',
  'accessToken',
  '*.accessToken'
]

export const LOG_REDACT_CENSOR = '[redacted]'
