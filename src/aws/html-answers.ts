/**
 * AWS answers EKS calls with JSON and IAM calls with XML, errors included. An HTML page comes from
 * something between the service and AWS (a proxy, a load balancer, a captive portal). The SDK
 * cannot tell: an IAM page parses as an empty success (every member of the output missing). This
 * middleware refuses such an answer before the SDK parses it; src/aws/errors.ts maps the
 * error like every other unreadable answer.
 */
import type { DeserializeHandler, DeserializeHandlerArguments, DeserializeMiddleware, MetadataBearer, Pluggable } from '@smithy/types'

interface RawAnswer { statusCode?: number, headers?: Record<string, string | undefined> }

export class HtmlAnswerError extends Error {
  readonly $metadata: { httpStatusCode: number, requestId?: string }

  constructor (httpStatusCode: number, requestId: string | undefined) {
    super(`the answer is an HTML page (HTTP ${httpStatusCode}), not an AWS response`)
    this.name = 'HtmlAnswerError'
    this.$metadata = { httpStatusCode, requestId }
  }
}

const headerOf = (headers: RawAnswer['headers'], name: string) =>
  Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1]

const refuseHtml: DeserializeMiddleware<object, MetadataBearer> = <Output extends MetadataBearer>(next: DeserializeHandler<object, Output>) =>
  async (args: DeserializeHandlerArguments<object>) => {
    const result = await next(args)
    const answer = result.response as RawAnswer
    if (/^\s*text\/html\b/i.test(headerOf(answer.headers, 'content-type') ?? '')) {
      throw new HtmlAnswerError(answer.statusCode ?? 0, headerOf(answer.headers, 'x-amzn-requestid'))
    }
    return result
  }

/** Runs between the HTTP answer and the SDK's parsing of it (inside the SDK's deserializer). */
export const refuseHtmlAnswers: Pluggable<object, MetadataBearer> = {
  applyToStack (stack) {
    stack.addRelativeTo(refuseHtml, { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'refuseHtmlAnswers' })
  }
}
