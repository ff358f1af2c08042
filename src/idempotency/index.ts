/** Framework-free idempotency core; the Fastify plugin lives in ./plugin.ts. */
export * from './errors.ts'
export * from './fingerprint.ts'
export * from './key.ts'
export * from './operation.ts'
export * from './response-policy.ts'
