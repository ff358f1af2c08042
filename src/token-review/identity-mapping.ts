/**
 * How kube-apiserver turns an EKS OIDC config into username and group names. EKS configures the
 * API server with the legacy `--oidc-*` flags, which kube-apiserver converts as follows:
 * - the username claim defaults to `sub`;
 * - an unset `usernamePrefix` with a claim other than `email` becomes `<issuerUrl>#`;
 * - the prefix `-` means no prefix; any other prefix is prepended as given;
 * - `groupsPrefix` is prepended to every group.
 */
import type { OidcConfig } from './types.ts'

export const DEFAULT_USERNAME_CLAIM = 'sub'
export const NO_PREFIX = '-'

export function usernameClaimOf (config: OidcConfig): string {
  return config.usernameClaim || DEFAULT_USERNAME_CLAIM
}

/** The prefix the API server prepends to every username of this config ('' for none). */
export function usernamePrefixOf (config: OidcConfig): string {
  const prefix = config.usernamePrefix ?? ''
  if (prefix === NO_PREFIX) return ''
  if (prefix === '' && usernameClaimOf(config) !== 'email') return config.issuerUrl + '#'
  return prefix
}

/** True when the API server adds the `<issuerUrl>#` prefix because no prefix was configured. */
export function hasIssuerDefaultPrefix (config: OidcConfig): boolean {
  return !config.usernamePrefix && usernameClaimOf(config) !== 'email'
}

export function kubernetesUsername (config: OidcConfig, claimValue: string): string {
  return usernamePrefixOf(config) + claimValue
}

export function kubernetesGroup (config: OidcConfig, group: string): string {
  return (config.groupsPrefix ?? '') + group
}

/** EKS refuses prefixes containing `system:`, so they cannot impersonate Kubernetes system identities. */
export function containsSystemPrefix (value: string | undefined): boolean {
  return value !== undefined && value.includes('system:')
}

/** Problems EKS would refuse the config for (the ones that change how tokens are judged). */
export function configProblems (config: OidcConfig): string[] {
  const problems: string[] = []
  if (!/^https:\/\/[^?#\s]+$/.test(config.issuerUrl ?? '')) {
    problems.push('issuerUrl must be an https:// URL without query or fragment')
  }
  if (!config.clientId) problems.push('clientId must not be empty')
  if (containsSystemPrefix(config.usernamePrefix)) problems.push('usernamePrefix must not contain "system:"')
  if (containsSystemPrefix(config.groupsPrefix)) problems.push('groupsPrefix must not contain "system:"')
  return problems
}
