// Guestbook messages: public list and post (rate-limited per client), admin-only delete.
import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { createMessage, deleteMessage, listMessagesJson } from '../db/messages.ts';
import { requireAdmin } from '../http/admin-auth.ts';
import { sendError } from '../http/errors.ts';
import { ErrorResponse } from './schemas.ts';
import type { RouteDependencies } from './types.ts';

// Same range as the integer id column: a larger number must be a 400, not a database error.
const Id = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;

// PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate would not read back as sent:
// both are refused along with the other control characters (text may contain tab and newlines).
// Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) would make a message display other than
// it reads (and spill into what follows it on the page): refused in both fields.
const BIDI = String.raw`\u202A-\u202E\u2066-\u2069`;
// A name must show something: not only format characters (zero-width space/joiners, U+2060, U+FEFF: \p{Cf}),
// separators, the blank letters that render as nothing (Hangul fillers, U+2800 braille blank), combining marks with
// nothing to sit on (\p{M}) or private-use characters (\p{Co}: no meaning, a font's own glyph or nothing).
const VISIBLE = String.raw`[^\p{Cf}\p{Z}\s\p{M}\p{Co}\u115F\u1160\u3164\uFFA0\u2800]`;
// Combining marks stacked on one character draw above and below the line, over the rest of the page ("Zalgo" text).
// Real writing uses a few at most (Vietnamese two, Hebrew with cantillation or Tibetan stacks three or four, in NFD):
// more than MAX_MARKS in a row is refused in both fields. https://www.unicode.org/reports/tr15/#Stream_Safe_Text_Format
export const MAX_MARKS = 4;
const NO_STACKS = String.raw`(?![\s\S]*\p{M}{${MAX_MARKS + 1}})`;
const NAME_PATTERN = String.raw`^(?=.*${VISIBLE})${NO_STACKS}[^\p{Cc}\p{Cs}${BIDI}]*$`;
const TEXT_PATTERN = String.raw`^${NO_STACKS}[^\p{Cs}${BIDI}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$`;

const Message = {
  type: 'object',
  required: ['id', 'name', 'text', 'createdAt'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    text: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const NewMessage = {
  type: 'object',
  required: ['name', 'text'],
  additionalProperties: false,
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 80,
      pattern: NAME_PATTERN,
      description: `Trimmed; 1-80 characters, at least one visible (not only combining marks or private-use characters); no control or bidirectional-override characters; at most ${MAX_MARKS} combining marks on one character`,
      'x-pattern-message': `must contain a visible character (not only combining marks or private-use characters), no control or bidirectional-override characters, and at most ${MAX_MARKS} combining marks on one character`,
    },
    text: {
      type: 'string',
      minLength: 1,
      maxLength: 500,
      pattern: TEXT_PATTERN,
      description: `Trimmed; 1-500 characters; no control characters except tab and newlines, no bidirectional overrides, at most ${MAX_MARKS} combining marks on one character`,
      'x-pattern-message': `must not contain control characters other than tab and newlines, nor bidirectional-override characters, nor more than ${MAX_MARKS} combining marks on one character`,
    },
  },
} as const;

const ListQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    before: { ...Id, description: 'Cursor: the nextCursor of the previous page' },
  },
  additionalProperties: false,
} as const;

const IdParams = { type: 'object', required: ['id'], properties: { id: Id } } as const;

// Reads and writes answer without rate-limit headers until the limit is reached (three headers less per reply).
const quietLimitHeaders = {
  addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
};

export async function messageRoutes(app: FastifyInstance, { config, db }: RouteDependencies): Promise<void> {
  // Reads are cheap for a client and not for the service (a page of 100 messages costs many hello requests):
  // a generous per-client limit of their own.
  app.get<{ Querystring: FromSchema<typeof ListQuery> }>(
    '/api/messages',
    {
      config: {
        rateLimit: { max: config.rateLimit.readMax, timeWindow: config.rateLimit.windowMs, ...quietLimitHeaders },
      },
      schema: {
        tags: ['messages'],
        summary: 'Latest messages, newest first',
        querystring: ListQuery,
        response: {
          200: {
            type: 'object',
            required: ['messages', 'nextCursor'],
            properties: {
              messages: { type: 'array', items: Message },
              nextCursor: { type: 'integer', nullable: true },
            },
          },
          400: ErrorResponse,
          429: ErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    // Already JSON, built by the database (src/db/messages.ts): sent as it is, not serialised again.
    async (request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .send(await listMessagesJson(db, request.query.limit ?? 20, request.query.before)),
  );

  app.post<{ Body: FromSchema<typeof NewMessage> }>(
    '/api/messages',
    {
      config: { rateLimit: { max: config.rateLimit.max, timeWindow: config.rateLimit.windowMs } },
      // Trim before validation, so the length limits apply to what is stored.
      preValidation: async (request) => {
        const body = request.body as unknown as Record<string, unknown> | null;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
        for (const field of ['name', 'text']) {
          const value = body[field];
          if (typeof value === 'string') body[field] = value.trim();
        }
      },
      schema: {
        tags: ['messages'],
        summary: 'Leaves a message (public, rate-limited per client)',
        body: NewMessage,
        response: {
          201: Message,
          400: ErrorResponse,
          413: ErrorResponse,
          415: ErrorResponse,
          429: ErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const message = await createMessage(db, request.body.name, request.body.text);
      return reply.code(201).send(message);
    },
  );

  app.delete<{ Params: FromSchema<typeof IdParams> }>(
    '/api/messages/:id',
    {
      onRequest: requireAdmin(app, config.adminToken),
      schema: {
        tags: ['messages'],
        summary: 'Deletes a message (admin)',
        security: [{ adminToken: [] }],
        params: IdParams,
        response: {
          204: { type: 'null', description: 'Deleted' },
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          429: ErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      if (!(await deleteMessage(db, request.params.id))) {
        return sendError(reply, 404, `Message ${request.params.id} not found`);
      }
      return reply.code(204).send(null);
    },
  );
}
