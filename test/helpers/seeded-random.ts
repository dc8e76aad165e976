// A small deterministic random generator (mulberry32) for tests whose random choices must be
// replayable: a failure names its seed, and the same seed gives the same sequence.

/** Numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6D2B79F5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
