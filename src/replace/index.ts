/**
 * Config replacement (PUT of a whole identity provider config): the request side (ReplaceService)
 * and the durable runner behind it (ReplaceRunner), wired together.
 */
import type { IdentityProviderConfigService } from '../services/identity-provider-configs.ts'
import type { OperationStore } from '../store/index.ts'
import type { Logger } from '../observability/request-context.ts'
import { ReplaceRunner } from './runner.ts'
import { ReplaceService } from './service.ts'

export interface ReplacementsOptions {
  operations: OperationStore
  configs: IdentityProviderConfigService
  pollIntervalMs: number
  maxPollIntervalMs: number
  leaseMs: number
  log: Logger
}

export function createReplacements (options: ReplacementsOptions): ReplaceService {
  const runner = new ReplaceRunner(options)
  return new ReplaceService({ configs: options.configs, operations: options.operations, runner })
}

export { ReplaceRunner } from './runner.ts'
export { ReplaceService, type ReplaceOutcome, type ReplaceRequest } from './service.ts'
export { REPLACE_ACTION } from './plan.ts'
