/** Values for exact comparison: −0 reads as 0 (f32 and f64 agree on every other bit that matters here). */
export const bits = (xs: ArrayLike<number>): number[] => Array.from(xs, (v) => (Object.is(v, -0) ? 0 : v));
