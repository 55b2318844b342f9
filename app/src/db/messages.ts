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

interface Row {
  id: number;
  name: string;
  text: string;
  created_at: Date;
}

const toMessage = (r: Row): Message => ({
  id: r.id,
  name: r.name,
  text: r.text,
  createdAt: r.created_at.toISOString(),
});

export interface MessagePage {
  messages: Message[];
  /** Pass as `before` to get the next (older) page; null when there is none. */
  nextCursor: number | null;
}

export async function listMessages(db: Queryable, limit: number, before?: number): Promise<MessagePage> {
  // One row more than asked tells whether an older page exists.
  const rows = await db.query<Row>(
    'SELECT id, name, text, created_at FROM messages WHERE ($2::integer IS NULL OR id < $2) ORDER BY id DESC LIMIT $1',
    [limit + 1, before ?? null],
    'messages_list',
  );
  const page = rows.slice(0, limit).map(toMessage);
  const last = page.at(-1);
  return { messages: page, nextCursor: rows.length > limit && last ? last.id : null };
}

export async function createMessage(db: Queryable, name: string, text: string): Promise<Message> {
  const rows = await db.query<Row>(
    'INSERT INTO messages (name, text) VALUES ($1, $2) RETURNING id, name, text, created_at',
    [name, text],
    'messages_insert',
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT returned no row');
  return toMessage(row);
}

/** Returns true when a message was deleted, false when none had that id. */
export async function deleteMessage(db: Queryable, id: number): Promise<boolean> {
  const rows = await db.query<{ id: number }>(
    'DELETE FROM messages WHERE id = $1 RETURNING id',
    [id],
    'messages_delete',
  );
  return rows.length > 0;
}

export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1', [], 'ping');
}
