/** Seed roles for tests that need IAM roles to exist (access entries name existing principals). */
import type { SeedRole } from '../../emulator/seed.ts'

const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] }

/** `dev/apps/deployer` → the role `deployer` at path `/dev/apps/`. */
export function seedRoles (...paths: string[]): SeedRole[] {
  return paths.map(path => {
    const parts = path.split('/')
    const roleName = parts.pop() as string
    return { roleName, path: parts.length ? `/${parts.join('/')}/` : '/', assumeRolePolicyDocument: TRUST }
  })
}
