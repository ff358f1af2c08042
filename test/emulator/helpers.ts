/** Shared setup of the emulator tests: a started emulator plus real SDK clients pointed at it. */
import type { Test } from 'tap'
import { EKSClient } from '@aws-sdk/client-eks'
import { IAMClient } from '@aws-sdk/client-iam'
import { startAwsEmulator, type AwsEmulator, type AwsEmulatorOptions } from '../../emulator/aws-emulator.ts'

export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }

export async function startEmulator (t: Test, options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const emulator = await startAwsEmulator({ port: 0, ...options })
  t.teardown(() => emulator.close())
  return emulator
}

export function eksClient (t: Test, emulator: AwsEmulator, maxAttempts = 1): EKSClient {
  const client = new EKSClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts })
  t.teardown(() => client.destroy())
  return client
}

export function iamClient (t: Test, emulator: AwsEmulator, maxAttempts = 1): IAMClient {
  const client = new IAMClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts })
  t.teardown(() => client.destroy())
  return client
}

/** A controllable emulator clock. */
export function fakeClock (startMs = Date.parse('2026-01-15T10:00:00.250Z')) {
  let now = startMs
  return { now: () => now, advance: (ms: number) => { now += ms } }
}

export type AwsError = Error & { $metadata?: { httpStatusCode?: number }, [member: string]: unknown }

/** Runs `fn` and returns the error it throws (fails the test if it does not throw). */
export async function caught (t: Test, fn: () => Promise<unknown>): Promise<AwsError> {
  try {
    await fn()
  } catch (error) {
    return error as AwsError
  }
  t.fail('expected an error')
  throw new Error('expected an error')
}

/** A valid clientRequestToken (33–126 characters). */
export const token = (suffix: string) => `test-token-${suffix}`.padEnd(40, '0')
