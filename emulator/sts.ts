/** STS GetCallerIdentity (awsQuery, version 2011-06-15), answering for the emulated account. */
import type { EmulatorContext } from './context.ts'
import type { XmlValue } from './xml.ts'

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/'
export const STS_VERSION = '2011-06-15'

export const STS_ACTIONS: Record<string, (ctx: EmulatorContext, params: URLSearchParams) => XmlValue> = {
  GetCallerIdentity: (ctx) => ({
    UserId: 'AIDAEMULATOREXAMPLE01',
    Account: ctx.accountId,
    Arn: `arn:aws:iam::${ctx.accountId}:user/emulator`
  })
}
