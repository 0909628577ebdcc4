/**
 * What a move between clients carried and what it could not: every writer and reader fills one,
 * the CLI prints it, and docs/clients.md explains each line. A count of zero is left out.
 */
export interface CarriedItem {
  /** What was carried: a plural noun phrase when counted ("messages"), else a fact. */
  what: string;
  /** How many; absent for a single fact ("the account password"). */
  count?: number;
}

export interface LeftBehindItem {
  what: string;
  count?: number;
  /** Why it was not carried, one short sentence without a final full stop. */
  why: string;
}

export class TransferSummary {
  readonly carried: CarriedItem[] = [];
  readonly notCarried: LeftBehindItem[] = [];
  /** Notes for the person: next steps, differences to know about. */
  readonly notes: string[] = [];

  /** Counts `n` more of `what` as carried. */
  carry(what: string, n = 1): void {
    if (n <= 0) return;
    const item = this.carried.find((c) => c.what === what);
    if (item) item.count = (item.count ?? 0) + n;
    else this.carried.push({ what, count: n });
  }

  /** Something carried that is not counted: "the account password". */
  carryFact(what: string): void {
    if (!this.carried.some((c) => c.what === what)) this.carried.push({ what });
  }

  /** Counts `n` more of `what` as not carried, for the reason `why`. */
  leave(what: string, why: string, n = 1): void {
    if (n <= 0) return;
    const item = this.notCarried.find((c) => c.what === what && c.why === why);
    if (item) item.count = (item.count ?? 0) + n;
    else this.notCarried.push({ what, count: n, why });
  }

  /** Something not carried that is not counted. */
  leaveFact(what: string, why: string): void {
    if (!this.notCarried.some((c) => c.what === what && c.why === why)) {
      this.notCarried.push({ what, why });
    }
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  count(what: string): number {
    return this.carried.find((c) => c.what === what)?.count ?? 0;
  }

  toJSON(): { carried: CarriedItem[]; notCarried: LeftBehindItem[]; notes: string[] } {
    return { carried: this.carried, notCarried: this.notCarried, notes: this.notes };
  }
}

/** The summary as indented lines for a terminal. */
export function summaryLines(summary: TransferSummary): string[] {
  const lines: string[] = [];
  if (summary.carried.length > 0) {
    lines.push('  carried:');
    for (const c of summary.carried) {
      lines.push(`    ${c.what}${c.count === undefined ? '' : `: ${c.count}`}`);
    }
  }
  if (summary.notCarried.length > 0) {
    lines.push('  not carried:');
    for (const c of summary.notCarried) {
      lines.push(`    ${c.what}${c.count === undefined ? '' : `: ${c.count}`} (${c.why})`);
    }
  }
  for (const n of summary.notes) lines.push(`  ${n}`);
  return lines;
}
