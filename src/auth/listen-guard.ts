/** With authentication off, the service may only be reachable from the machine itself. */
import ipaddr from 'ipaddr.js'

export function isLoopbackHost (host: string): boolean {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1')
  if (bare.toLowerCase() === 'localhost') return true
  if (!ipaddr.isValid(bare)) return false
  const address = ipaddr.process(bare)
  return address.range() === 'loopback'
}

/** Throws when authentication is disabled and `host` is not a loopback address. */
export function assertListenAllowed (authDisabled: boolean, host: string): void {
  if (!authDisabled || isLoopbackHost(host)) return
  throw new Error(
    `Refusing to listen on ${JSON.stringify(host)} with AUTH_MODE=none: without authentication the ` +
    'service may only listen on loopback (127.0.0.1, ::1 or localhost). Configure AUTH_API_TOKENS ' +
    'and/or AUTH_JWT_ISSUER, or set HOST=127.0.0.1.'
  )
}
