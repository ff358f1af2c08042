/** The API-wide description at the top of the OpenAPI document (CommonMark). */
export const API_DESCRIPTION = [
  'Manages identity for Amazon EKS clusters:',
  '',
  '- **IAM OIDC provider** (`/clusters/{name}/oidc-provider`): the provider that lets pods assume IAM roles through their service account tokens (IRSA). Declarative: `PUT` converges the provider to the desired state with the fewest IAM calls; `?dryRun=true` shows the plan.',
  '- **OIDC identity provider configs** (`/clusters/{name}/identity-provider-configs`): let users log in to Kubernetes with tokens from your identity provider. Associating or disassociating starts an EKS update that takes 20 to 40 minutes on AWS; follow it under `/clusters/{name}/updates/{updateId}` (poll every 30 to 120 seconds).',
  '',
  '**Errors** are `application/problem+json` (RFC 9457) with `type`, `title`, `status`, `detail`, `instance`, a stable `code` (the AWS exception name where one applies) and the `requestId`. Validation problems list each failing field in `errors[]` as a JSON pointer with the rule it broke.',
  '',
  '**Retries.** Mutating requests accept an `Idempotency-Key` header (16 to 255 characters of `A-Za-z0-9._~:-`). Associate derives the EKS `clientRequestToken` from it, so a retried request never starts a second EKS update.'
].join('\n')
