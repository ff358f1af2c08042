/** The API-wide description at the top of the OpenAPI document (CommonMark). */
export const apiDescription = ({ retentionSeconds }: { retentionSeconds: number }) => [
  'Manages identity for Amazon EKS clusters:',
  '',
  '- **IAM OIDC provider** (`/clusters/{name}/oidc-provider`): the provider that lets pods assume IAM roles through their service account tokens (IRSA). Declarative: `PUT` converges the provider to the desired state with the fewest IAM calls; `?dryRun=true` shows the plan.',
  '- **OIDC identity provider configs** (`/clusters/{name}/identity-provider-configs`): let users log in to Kubernetes with tokens from your identity provider. Associating or disassociating starts an EKS update that takes 20 to 40 minutes on AWS; follow it under `/clusters/{name}/updates/{updateId}` (poll every 30 to 120 seconds).',
  '- **Access entries** (`/clusters/{name}/access-entries`): map IAM roles and users to Kubernetes usernames, groups and AWS-managed access policies, the successor of the `aws-auth` ConfigMap; the cluster\'s authentication mode (`/clusters/{name}/authentication-mode`) moves one step forward as an EKS update; `/clusters/{name}/principals/{principalArn}` says who a principal or role session is in the cluster.',
  '',
  '**Errors** are `application/problem+json` (RFC 9457) with `type`, `title`, `status`, `detail`, `instance`, a stable `code` (the AWS exception name where one applies) and the `requestId`. Validation problems list each failing field in `errors[]` as a JSON pointer with the rule it broke.',
  '',
  '**Authentication.** Every route but health, docs and the OpenAPI document needs `Authorization: Bearer <token>` (a static API token or a JWT from the operator\'s identity provider) and a grant for the action (read, write, admin) on the cluster. Missing or invalid credentials answer 401, a missing grant 403.',
  '',
  `**Retries (Idempotency-Key).** Mutating requests accept an \`Idempotency-Key\` header (IETF draft; 16 to 255 characters of \`A-Za-z0-9._~:-\`, optionally quoted); associating requires it or a body \`clientRequestToken\`. The same key with the same request replays the first answer (status, body, \`Location\`) with \`Idempotent-Replayed: true\`; with a different request it answers 422; while the first request still runs, 409 with \`Retry-After\`. Keys are scoped to the caller and the route. Answers are kept for ${retentionSeconds} seconds (${Math.round(retentionSeconds / 3600)} hours); after that a key counts as new. Validation errors, 401, 403, 429 and ambiguous AWS failures (5xx, timeouts) are not kept, and a retry re-sends the same EKS \`clientRequestToken\`, so EKS itself never starts a second update.`
].join('\n')
