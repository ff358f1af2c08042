/** Small statistics helpers; every figure is rounded only when it is printed. */

/** The p-th percentile (0..1) of ascending `sorted` values, nearest rank. */
export function percentile (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]
}

export const median = (values: readonly number[]) => percentile([...values].sort((a, b) => a - b), 0.5)

export const round = (value: number, digits = 2) => Number.isFinite(value) ? Number(value.toFixed(digits)) : value
