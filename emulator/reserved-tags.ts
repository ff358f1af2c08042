/**
 * AWS reserves tag keys beginning with `aws:` in any letter case, for EKS (the model's TagMap:
 * "Do not use aws:, AWS:, or any upper or lowercase combination of such as a prefix") and for IAM
 * (IAM User Guide, "Tagging IAM resources": keys may not begin with `aws:`).
 */
export const isReservedTagKey = (key: string) => key.toLowerCase().startsWith('aws:')

/** Our wording: AWS documents the rule, not its message. */
export const reservedTagKeyMessage = (key: string) => `Tag key ${key} is not valid: keys beginning with "aws:" are reserved for AWS use.`
