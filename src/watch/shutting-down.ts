import { problem } from '../errors.ts'

/** Answered to a watch that the service's shutdown cut short before any state was known. */
export const shuttingDown = () => problem('ServiceShuttingDown', {
  detail: 'The service stopped watching the update before AWS answered; retry on another instance.'
})
