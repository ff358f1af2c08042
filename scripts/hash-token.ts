/**
 * Prints the configuration hash of an API token, for AUTH_API_TOKENS.
 *
 *   npx node scripts/hash-token.ts --generate ci-pipeline   new random token + its config entry
 *   printf %s "$TOKEN" | npx node scripts/hash-token.ts      hash a token read from stdin
 *   npx node scripts/hash-token.ts <token>                    hash a token (stays in shell history)
 */
import { text } from 'node:stream/consumers'
import { generateToken, hashToken, TOKEN_NAME_PATTERN } from '../src/auth/static-tokens.ts'

const USAGE = 'usage: hash-token.ts [<token> | --generate <name>]  (without arguments the token is read from stdin)'

async function main (args: string[]): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h') {
    console.log(USAGE)
    return 0
  }
  if (args[0] === '--generate') {
    const name = args[1] ?? 'client'
    if (!TOKEN_NAME_PATTERN.test(name)) {
      console.error('the name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit')
      return 2
    }
    const token = generateToken()
    console.log(`token (give this to the client, store it as a secret): ${token}`)
    console.log(`AUTH_API_TOKENS entry: ${name}:${hashToken(token)}`)
    return 0
  }
  const token = args.length > 0 ? args[0] : (await text(process.stdin)).replace(/\r?\n$/, '')
  if (token === '') {
    console.error(USAGE)
    return 2
  }
  console.log(hashToken(token))
  return 0
}

process.exitCode = await main(process.argv.slice(2))
