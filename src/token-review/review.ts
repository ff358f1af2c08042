/**
 * One entry point for the routes: a token-review or preview body carries exactly one of `token`
 * (verified, then judged) or `claims` (judged only; no `verified` member in the answer).
 */
import type { Claims } from './findings.ts'
import { reviewClaims } from './review-claims.ts'
import { reviewToken, type ReviewTokenOptions } from './review-token.ts'
import type { OidcConfig, TokenReviewStatus } from './types.ts'

export type ReviewInput = { token: string } | { claims: Claims }

export async function reviewTokenOrClaims (
  config: OidcConfig, input: ReviewInput, options: ReviewTokenOptions
): Promise<TokenReviewStatus> {
  if ('token' in input) return reviewToken(config, input.token, options)
  return reviewClaims(config, input.claims, { now: options.now })
}
