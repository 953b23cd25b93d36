/**
 * Regular-expression filters (their length and characters are checked by
 * optionalPattern, in the object-model) and page tokens of GetLinks. Patterns use RE2
 * syntax (as the original Go service did) through re2js, whose matching time is
 * linear in the input: no pattern backtracks. Linear is not cheap, though: a match
 * costs up to (program instructions × text characters) steps, and `.{1000}` × 4
 * compiles to 4,002 instructions. So each filter's program size is bounded (one
 * match stays well under 50 ms), and a request's matching runs on a work budget
 * that yields to the event loop between slices and ends the page early, with a
 * token, when spent.
 */
import { createRequire } from 'node:module';
import type * as Re2js from 're2js';
import { ValidationError, limits, type SearchSort } from '@delinkcious/object-model';

/** re2js loads with the first filter compiled, not at start (~35 ms of every start, measured). */
const load = createRequire(import.meta.url);
const re2js = () => (load('re2js') as typeof Re2js).RE2JS;

/**
 * Work is counted in units of one program instruction stepped over one character of
 * text. Measured on the 2-core reference machine under load, the worst patterns
 * (e.g. `(?s).{62}$`, every instruction live at every character) cost 30–50 ns a
 * unit; patterns with a literal part (`kube`, `^https://`) cost 100× less.
 */
export const regexWork = {
  /** The most one match may cost (~16–26 ms): it bounds each filter's program size. */
  perMatch: 2 ** 19,
  /** The most regex work one turn of the event loop runs, for all requests together. */
  perSlice: 2 ** 19,
  /** The most one GetLinks request may spend (~0.5–0.9 s in the worst case); then its page ends with a token. */
  perRequest: 2 ** 24,
  /**
   * And the longest it may take, waiting for turns included (with many heavy
   * requests at once each gets a share of the loop): well within a caller's timeout.
   */
  perRequestMs: 1000,
};

export interface TextMatcher {
  /** The size of the compiled program, in instructions. */
  readonly instructions: number;
  test(text: string): boolean;
}

/**
 * Compiles a filter for a field whose texts are at most `maxTextLength` long; a
 * program too big to match such a text within regexWork.perMatch is refused.
 */
export function compilePattern(pattern: string | undefined, field: string, maxTextLength: number): TextMatcher | undefined {
  if (pattern === undefined || pattern === '') return undefined;
  let compiled: Re2js.RE2JS;
  try {
    compiled = re2js().compile(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : 'invalid';
    throw new ValidationError(`${field} is not a valid regular expression: ${reason}`);
  }
  const instructions = programSize(compiled);
  const allowed = maxInstructions(maxTextLength);
  if (instructions > allowed) {
    throw new ValidationError(
      `${field} is too complex: it compiles to ${instructions} regular-expression instructions, and at most ${allowed} are allowed (use fewer or smaller repetitions)`,
    );
  }
  return { instructions, test: (text) => compiled.matcher(text).find() };
}

/** The largest program one match over a text of `maxTextLength` may run. */
export function maxInstructions(maxTextLength: number): number {
  return Math.floor(regexWork.perMatch / Math.max(1, maxTextLength));
}

/** What matching `text` may cost, in work units (an upper bound: the NFA's). */
export function matchCost(matcher: TextMatcher, text: string): number {
  return matcher.instructions * (text.length + 1);
}

/**
 * The number of instructions of a compiled program. re2js does not publish it:
 * this reads its internal RE2 object (`re2Input.prog.inst`), here only, and
 * test/regex-budget.test.ts fails if a re2js release moves it.
 */
export function programSize(compiled: Re2js.RE2JS): number {
  const internal = compiled as unknown as { re2Input?: { prog?: { inst?: unknown } } };
  const inst = internal.re2Input?.prog?.inst;
  if (!Array.isArray(inst)) throw new Error('re2js no longer exposes re2Input.prog.inst: update programSize');
  return inst.length;
}

/**
 * The event loop's turns, shared by every request of the process: regex work
 * runs at most about one slice a turn, then waits in line, first come first
 * served, for a later turn (setImmediate alone would not do: every request
 * that yielded would resume in the same turn, their slices adding up).
 */
class LoopTurns {
  private readonly line: Array<() => void> = [];
  private workThisTurn = 0;
  private scheduled = false;

  async pay(units: number, slice: number): Promise<void> {
    if (this.workThisTurn > 0 && this.workThisTurn + units > slice) {
      await new Promise<void>((resolve) => {
        this.line.push(resolve);
        this.schedule();
      });
    }
    this.workThisTurn += units;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.workThisTurn = 0;
      this.line.shift()?.();
      if (this.line.length > 0) this.schedule();
    });
  }
}

const turns = new LoopTurns();

/**
 * The regex work of one request: charge() each match before running it. It
 * waits for a later turn of the event loop whenever this turn's work would pass
 * a slice, so other requests (and /healthz) are served in between.
 */
export class WorkBudget {
  private spent = 0;
  private readonly deadline: number;

  constructor(
    private readonly total = regexWork.perRequest,
    ms = regexWork.perRequestMs,
    private readonly slice = regexWork.perSlice,
  ) {
    this.deadline = performance.now() + ms;
  }

  /** Whether `units` more work still fits in the request's budget, and its time is not up. */
  affords(units: number): boolean {
    return this.spent + units <= this.total && performance.now() < this.deadline;
  }

  async charge(units: number): Promise<void> {
    await turns.pay(units, this.slice);
    this.spent += units;
  }
}

/** Where a page ended, in the order of its sort: what a page token carries. */
export interface PageCursor {
  sort: SearchSort;
  /** The last link's sort key (ListedLink.sortKey); absent only in a token of before search (an id, newest). */
  key?: string | undefined;
  id: number;
}

const sortCodes: Record<SearchSort, string> = { newest: 'n', oldest: 'o', title: 't', relevance: 'r' };

/**
 * Page tokens are opaque to clients: the sort, the last link's sort key and its
 * id, wrapped (version 2). Version 1, the id alone (newest first by id), is
 * still read for the newest order.
 */
export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ v: 2, s: sortCodes[cursor.sort], k: cursor.key, id: cursor.id })).toString('base64url');
}

export function decodePageToken(token: string | undefined, sort: SearchSort = 'newest'): PageCursor | undefined {
  if (token === undefined || token === '') return undefined;
  let decoded: { v?: unknown; before?: unknown; s?: unknown; k?: unknown; id?: unknown } | undefined;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof decoded;
  } catch {
    // refused below
  }
  const validId = (id: unknown): id is number => Number.isSafeInteger(id) && (id as number) > 0;
  if (decoded?.v === 2 && typeof decoded.k === 'string' && validId(decoded.id) && typeof decoded.s === 'string') {
    if (decoded.s !== sortCodes[sort]) throw new ValidationError(`start_token belongs to another sort order than ${sort}`);
    if (!validKey(sort, decoded.k)) throw new ValidationError('start_token is not a valid page token');
    return { sort, key: decoded.k, id: decoded.id };
  }
  if (decoded?.v === 1 && validId(decoded.before)) {
    if (sort !== 'newest') throw new ValidationError(`start_token belongs to another sort order than ${sort}`);
    return { sort, id: decoded.before };
  }
  throw new ValidationError('start_token is not a valid page token');
}

/** A key the store can compare with: a time, a number (relevance) or a title's fold. */
function validKey(sort: SearchSort, key: string): boolean {
  if (sort === 'title') return key.length <= limits.titleLength;
  if (sort === 'relevance') return /^\d+(\.\d+)?(e-?\d+)?$/i.test(key);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(key) && !Number.isNaN(Date.parse(key));
}
