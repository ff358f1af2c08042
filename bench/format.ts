/** How figures are printed in the Markdown table and the chart. */
export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`
export const perSecond = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`
export const percent = (ratio: number) => `${(ratio * 100).toFixed(0)}%`
export const signedMs = (value: number) => `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`
export const verdict = (met: boolean) => met ? 'met' : '**MISSED**'
