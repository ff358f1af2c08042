/** The small part of oidc-provider's API the tests use (the package ships no types). */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  export interface InteractionDetails {
    uid: string
    params: Record<string, unknown>
  }

  export interface Grant {
    addOIDCScope (scope: string): void
    save (): Promise<string>
  }

  export class Provider {
    constructor (issuer: string, configuration: Record<string, unknown>)
    Grant: new (properties: { accountId: string, clientId: string }) => Grant
    callback (): (req: IncomingMessage, res: ServerResponse) => void
    interactionDetails (req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>
    interactionFinished (
      req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }
    ): Promise<void>
  }
}
