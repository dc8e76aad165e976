// Time and timers behind one small interface so that every stage can be tested with a fake clock.

export type TimerHandle = { readonly id: unknown }

export interface Clock {
  /** Epoch milliseconds. */
  now (): number
  setTimeout (fn: () => void, ms: number): TimerHandle
  clearTimeout (handle: TimerHandle): void
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep (ms: number, signal?: AbortSignal): Promise<void>
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout (fn, ms) {
    const t = setTimeout(fn, ms)
    return { id: t }
  },
  clearTimeout (handle) {
    clearTimeout(handle.id as ReturnType<typeof setTimeout>)
  },
  sleep (ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) { reject(signal.reason); return }
      const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
      function onAbort (): void { clearTimeout(t); reject(signal?.reason) }
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}

export function isoTime (ms: number): string {
  return new Date(ms).toISOString()
}
