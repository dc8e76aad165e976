// Which input a line came from. Lines are numbered across all inputs in reading order (batch
// lines carry those numbers); a person looking at one file needs the file and the line within it.
// Sources are added in reading order, each with its first global line number.

import { STDIN } from './sources.ts'

export class SourceLines {
  readonly #names: string[] = []
  readonly #firsts: number[] = []

  /** The source `name` starts at global line `firstLineNo`. */
  add (name: string, firstLineNo: number): void {
    this.#names.push(name)
    this.#firsts.push(firstLineNo)
  }

  /** 'file:line' for global line `lineNo` ('stdin:line' for standard input). */
  locate (lineNo: number): string {
    // Sources are few: a backwards scan finds the last one starting at or before the line.
    for (let i = this.#firsts.length - 1; i >= 0; i--) {
      const first = this.#firsts[i]!
      if (first <= lineNo) return `${displayName(this.#names[i]!)}:${lineNo - first + 1}`
    }
    return `line ${lineNo}`
  }
}

function displayName (name: string): string {
  return name === STDIN ? 'stdin' : name
}
