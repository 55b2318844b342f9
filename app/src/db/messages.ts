// Data access for the guestbook's messages. Newest first, keyset pagination on the id
// (stable under concurrent inserts, unlike OFFSET).
import type { Queryable } from './database.ts';

export interface Message {
  id: number;
  name: string;
  text: string;
  /** ISO 8601, UTC */
  createdAt: string;
}

// created_at formatted by the database as toISOString() would (UTC, milliseconds): the rows come back ready to
// serialise, without parsing a timestamp into a Date and formatting it again for every row.
const COLUMNS = `id, name, text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`;

export interface MessagePage {
  messages: Message[];
  /** Pass as `before` to get the next (older) page; null when there is none. */
  nextCursor: number | null;
}

export async function listMessages(db: Queryable, limit: number, before?: number): Promise<MessagePage> {
  // One row more than asked tells whether an older page exists.
  const rows = await db.query<Message>(
    `SELECT ${COLUMNS} FROM messages WHERE ($2::integer IS NULL OR id < $2) ORDER BY id DESC LIMIT $1`,
    [limit + 1, before ?? null],
    'messages_list',
    true,
  );
  const page = rows.length > limit ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return { messages: page, nextCursor: rows.length > limit && last ? last.id : null };
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
