// Data access against both engines: embedded PGlite and a real PostgreSQL server (TLS verified).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requireOrSkip } from '@nodeapp/test-support';
import { createMessage, deleteMessage, listMessages, ping } from '../../src/db/messages.ts';
import { migrate } from '../../src/db/migrations.ts';
import { engines, postgresAvailable, postgresRequirement } from '../helpers.ts';

for (const engine of engines) {
  describe(`messages on ${engine.name}`, () => {
    test('create, list newest first, paginate, delete; text round-trips exactly', async (t) => {
      if (engine.name === 'postgres' && !requireOrSkip(t, postgresAvailable(), postgresRequirement)) return;
      const { db, cleanup } = await engine.open();
      try {
        await migrate(db);
        await ping(db);
        assert.deepEqual(await listMessages(db, 20), { messages: [], nextCursor: null });

        const samples = [
          "O'Brien; DROP TABLE messages;--",
          'Zoë 😀 中文',
          '<script>alert(1)</script>',
          'a\tb\r\nc',
          '$1 \\x00',
        ];
        const created = [];
        for (const text of samples) created.push(await createMessage(db, 'name', text));
        assert.deepEqual(
          created.map((m) => m.id),
          [1, 2, 3, 4, 5],
        );
        assert.ok(created.every((m) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(m.createdAt)));

        const page1 = await listMessages(db, 2);
        assert.deepEqual(page1.messages, created.slice(3).reverse());
        assert.equal(page1.nextCursor, 4);
        const page2 = await listMessages(db, 2, page1.nextCursor ?? undefined);
        assert.deepEqual(page2.messages, created.slice(1, 3).reverse());
        const page3 = await listMessages(db, 2, page2.nextCursor ?? undefined);
        assert.deepEqual(page3, { messages: [created[0]], nextCursor: null });

        assert.equal(await deleteMessage(db, 3), true);
        assert.equal(await deleteMessage(db, 3), false);
        assert.deepEqual(
          (await listMessages(db, 10)).messages.map((m) => m.text),
          [samples[4], samples[3], samples[1], samples[0]],
        );
      } finally {
        await cleanup();
      }
    });

    test('the schema enforces the limits too (defence in depth)', async (t) => {
      if (engine.name === 'postgres' && !requireOrSkip(t, postgresAvailable(), postgresRequirement)) return;
      const { db, cleanup } = await engine.open();
      try {
        await migrate(db);
        await assert.rejects(createMessage(db, 'a'.repeat(81), 'x'));
        await assert.rejects(createMessage(db, '', 'x'));
        await assert.rejects(createMessage(db, 'a', 'x'.repeat(501)));
        assert.equal((await listMessages(db, 10)).messages.length, 0);
      } finally {
        await cleanup();
      }
    });
  });
}
