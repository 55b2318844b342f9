// Data access for the guestbook's messages. Newest first, keyset pagination on the id
// (stable under concurrent inserts, unlike OFFSET).
import type { Queryable } from './types.ts';

export interface Message {
  id: number;
  name: string;
  text: string;
  /** ISO 8601, UTC */
  createdAt: string;
}

// created_at formatted by the database as toISOString() would (UTC, milliseconds): the rows come back ready to
// serialise, without parsing a timestamp into a Date and formatting it again for every row.
const CREATED_AT = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const COLUMNS = `id, name, text, ${CREATED_AT} AS "createdAt"`;

export interface MessagePage {
  messages: Message[];
  /** Pass as `before` to get the next (older) page; null when there is none. */
  nextCursor: number | null;
}

// The page is built as JSON by the database, in one row and one text column: the service sends that text as the
// response body as it is. Parsing 21 rows of 4 columns into objects and serialising them again was most of the
// service's own CPU per GET /api/messages on PostgreSQL (BENCHMARKS.md). One row more than asked tells whether an
// older page exists; PostgreSQL escapes the strings as JSON requires (RFC 8259), in both engines.
const PAGE_SQL = `
WITH page AS (
  SELECT id, name, text, created_at, row_number() OVER (ORDER BY id DESC) AS n
  FROM messages WHERE ($2::integer IS NULL OR id < $2) ORDER BY id DESC LIMIT $1::integer + 1
)
SELECT json_build_object(
  'messages', COALESCE(
    json_agg(
      json_build_object('id', id, 'name', name, 'text', text, 'createdAt', ${CREATED_AT})
      ORDER BY id DESC
    ) FILTER (WHERE n <= $1),
    '[]'::json),
  'nextCursor', CASE WHEN count(*) > $1 THEN min(id) FILTER (WHERE n <= $1) END
)::text AS page FROM page`;

/** The page as the JSON text of a MessagePage (the HTTP response body). */
export async function listMessagesJson(db: Queryable, limit: number, before?: number): Promise<string> {
  const rows = await db.query<{ page: string }>(PAGE_SQL, [limit, before ?? null], 'messages_list', true);
  const page = rows[0]?.page;
  if (page === undefined) throw new Error('the page query returned no row');
  return page;
}

export async function listMessages(db: Queryable, limit: number, before?: number): Promise<MessagePage> {
  return JSON.parse(await listMessagesJson(db, limit, before)) as MessagePage;
}

export async function createMessage(db: Queryable, name: string, text: string): Promise<Message> {
  const rows = await db.query<Message>(
    `INSERT INTO messages (name, text) VALUES ($1, $2) RETURNING ${COLUMNS}`,
    [name, text],
    'messages_insert',
    true,
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT returned no row');
  return row;
}

/** Returns true when a message was deleted, false when none had that id. */
export async function deleteMessage(db: Queryable, id: number): Promise<boolean> {
  const rows = await db.query<{ id: number }>(
    'DELETE FROM messages WHERE id = $1 RETURNING id',
    [id],
    'messages_delete',
    true,
  );
  return rows.length > 0;
}

export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1', [], 'ping');
}
