import { ServiceError } from '../errors.ts'

/** Answered to a watch that the service's shutdown cut short before any state was known. */
export const shuttingDown = () => new ServiceError({
  status: 503,
  code: 'ServiceShuttingDown',
  slug: 'shutting-down',
  title: 'The service is shutting down',
  detail: 'The service stopped watching the update before AWS answered; retry on another instance.',
  retryAfterSeconds: 1
})
