// A manual clock for unit tests: time moves only when the test calls advance().

import type { Clock, TimerHandle } from '../../src/util/clock.ts'

interface Timer { id: number, at: number, fn: () => void }

export class FakeClock implements Clock {
  #now: number
  #timers: Timer[] = []
  #nextId = 1

  constructor (start = Date.UTC(2026, 0, 1)) {
    this.#now = start
  }

  now (): number { return this.#now }

  setTimeout (fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), fn }
    this.#timers.push(timer)
    return { id: timer.id }
  }

  clearTimeout (handle: TimerHandle): void {
    this.#timers = this.#timers.filter(t => t.id !== handle.id)
  }

  sleep (ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) { reject(signal.reason); return }
      const handle = this.setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
      const onAbort = (): void => { this.clearTimeout(handle); reject(signal?.reason) }
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Number of timers waiting to fire. */
  get pending (): number { return this.#timers.length }

  /**
   * Moves time forward by `ms`, firing due timers in order, and lets promise callbacks run after
   * each one so that code awaiting a sleep can schedule its next timer.
   */
  async advance (ms: number): Promise<void> {
    const end = this.#now + ms
    for (;;) {
      await flushMicrotasks()
      const due = this.#timers.filter(t => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (due === undefined) break
      this.#timers = this.#timers.filter(t => t !== due)
      this.#now = Math.max(this.#now, due.at)
      due.fn()
    }
    this.#now = end
    await flushMicrotasks()
  }
}

/** Lets queued promise callbacks (several levels deep) run. */
export async function flushMicrotasks (): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>(resolve => setImmediate(resolve))
}
