/**
 * Statements on PGlite in ONE call into its WebAssembly Postgres each. PGlite's
 * own query() makes six (parse, describe, bind, describe, execute, sync, each
 * with its bookkeeping): measured, that cost ~1.1 ms a statement against
 * ~0.3 ms for one batched call, and a write is a dozen statements. Parameters
 * go as text with types inferred by the server, exactly as `pg` sends them (its
 * own prepareValue), so the same SQL behaves the same on both; rows are read
 * with PGlite's type parsers.
 *
 * The messages are written and read with `pg-protocol`, the `pg` driver's own
 * (docs/design.md §13): PGlite's copy of it copied every field of every row out
 * of the answer before decoding it, and measured each string's UTF-8 length
 * in a JavaScript loop; under saves at full speed that was 12% of the embedded
 * process's time. PGlite hands the answer over as it comes (execProtocolRawStream)
 * and parses none of it itself; an error is then the same DatabaseError `pg`
 * raises on PostgreSQL. (execProtocolRaw would parse it too, and keep every
 * message of every call until the next execProtocol: a leak of every row read.)
 *
 * A statement run again is a prepared statement of its Statements (docs/design.md §13): its text is
 * parsed and planned once, not on every call, as `pg` does for named queries.
 */
import pgUtils from 'pg/lib/utils.js';
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage, CommandCompleteMessage, DataRowMessage, RowDescriptionMessage } from 'pg-protocol/dist/messages.js';
import type { PGlite } from '@electric-sql/pglite';
import type { QueryResult } from './database.ts';

// `pg`'s own parameter encoding, from its module alone: the driver (its client, pool, protocol) is not needed here.
const { prepareValue } = pgUtils;

type Parsers = PGlite['parsers'];

/**
 * A statement whose text starts with this is never prepared: its best plan depends on its values (a
 * search: one common word walks newest first, a narrow query reads through the indexes), which a
 * prepared statement's generic plan cannot see; planned on each call, it gets a plan for its values.
 * On PostgreSQL `pg` sends every statement unnamed, so planned each call already. A comment to
 * PostgreSQL, so the text runs the same anywhere.
 */
export const planEachCall = '/* plan each call */ ';

/** Prepared on the second run of a text: a statement run once (DDL, a one-off lookup) is never kept. */
const prepareAfterRuns = 2;
/** Statements kept per Statements; past this, new texts run unnamed (their texts vary: a search's terms). */
const maxPrepared = 500;
let nextName = 0;

/**
 * The statements prepared on one connection for one user of it (one per schema in the shared embedded
 * instance, so a statement is never planned under one schema and run under another).
 */
export class Statements {
  private readonly prepared = new Map<string, string>();
  private readonly runs = new Map<string, number>();

  /** The name to run `text` as: [name, whether it must be parsed first]; '' when it runs unnamed. */
  nameFor(text: string): [string, boolean] {
    const name = this.prepared.get(text);
    if (name) return [name, false];
    if (this.prepared.size >= maxPrepared || text.startsWith(planEachCall)) return ['', true];
    const runs = (this.runs.get(text) ?? 0) + 1;
    if (runs < prepareAfterRuns) {
      if (this.runs.size < maxPrepared * 4) this.runs.set(text, runs);
      return ['', true];
    }
    this.runs.delete(text);
    return [`dlk_${++nextName}`, true];
  }

  /** `name` now exists on the connection for `text`. */
  remember(text: string, name: string): void {
    if (name) this.prepared.set(text, name);
  }
}

async function run(pglite: PGlite, message: Uint8Array): Promise<BackendMessage[]> {
  const messages: BackendMessage[] = [];
  const parser = new Parser();
  // syncToFs: false as before: on Node the data directory's files are written as Postgres writes
  // them (every commit's WAL before it returns); the sync is for browser file systems. Each chunk
  // is a view of PGlite's memory, which the next call overwrites: the parser gets a copy.
  await pglite.execProtocolRawStream(message, {
    syncToFs: false,
    onRawData: (chunk) => parser.parse(Buffer.from(chunk), (m) => messages.push(m)),
  });
  return messages;
}

const failure = (messages: BackendMessage[]) => messages.find((m) => m.name === 'error');

/** The commands whose tag ends with the rows they wrote: "INSERT 0 3", "UPDATE 2", "DELETE 1", "COPY 5", "MERGE 4". */
const writingCommands = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE']);

/**
 * The rows of a statement's answer, each column read by its type's parser (looked up once per
 * column, not per value), and the rows it wrote. Rows are plain objects whose columns are assigned
 * in order, as `pg` builds them.
 */
function readResult<R>(messages: BackendMessage[], parsers: Parsers): QueryResult<R> {
  let names: string[] = [];
  let columnParsers: Array<Parsers[number] | undefined> = [];
  let types: number[] = [];
  const rows: Record<string, unknown>[] = [];
  let written = 0;
  for (const message of messages) {
    if (message.name === 'rowDescription') {
      const { fields } = message as RowDescriptionMessage;
      names = fields.map((field) => field.name);
      types = fields.map((field) => field.dataTypeID);
      columnParsers = types.map((type) => parsers[type]);
    } else if (message.name === 'dataRow') {
      const { fields } = message as DataRowMessage;
      const row: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const text = fields[i] as string | null;
        const parse = columnParsers[i];
        row[names[i]!] = text === null || !parse ? text : parse(text, types[i]!);
      }
      rows.push(row);
    } else if (message.name === 'commandComplete') {
      const words = (message as CommandCompleteMessage).text.split(' ');
      if (writingCommands.has(words[0]!)) written = Number(words[words.length - 1]) || 0;
      break;
    }
  }
  // pg counts the rows a SELECT returned too.
  return { rows: rows as R[], rowCount: Math.max(written, rows.length) };
}

/** One statement with parameters ($1, …), extended protocol, one round trip; prepared once when `statements` is given. */
export async function runStatement<R>(pglite: PGlite, text: string, params: unknown[] = [], statements?: Statements): Promise<QueryResult<R>> {
  const [name, mustParse] = statements ? statements.nameFor(text) : ['', true];
  const message = Buffer.concat([
    ...(mustParse ? [serialize.parse({ name, text })] : []),
    serialize.bind({ statement: name, values: params.map((value) => prepareValue(value)) }),
    serialize.describe({ type: 'P' }),
    serialize.execute({}),
    serialize.sync(),
  ]);
  const messages = await run(pglite, message);
  // Parsed, the statement exists even when binding or running it failed after.
  if (mustParse && messages.some((m) => m.name === 'parseComplete')) statements?.remember(text, name);
  const error = failure(messages);
  if (error) throw error;
  return readResult<R>(messages, pglite.parsers);
}

/** A script of statements without parameters (simple protocol). */
export async function runScript(pglite: PGlite, sql: string): Promise<void> {
  const error = failure(await run(pglite, Buffer.concat([serialize.query(sql), serialize.sync()])));
  if (error) throw error;
}
