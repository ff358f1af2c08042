/**
 * Config replacement (PUT of a whole identity provider config): the request side (ReplaceService,
 * one per scope) and the durable runner behind it (ReplaceRunner, one per process).
 */
export { ReplaceRunner } from './runner.ts'
export { ReplaceService, type ReplaceOutcome, type ReplaceRequest } from './service.ts'
export { REPLACE_ACTION } from './plan.ts'
