// Guestbook messages: public list and post (rate-limited per client), admin-only delete.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { createMessage, deleteMessage, listMessages } from '../db/messages.ts';
import { requireAdmin } from '../plugins/admin-auth.ts';
import { sendError } from '../plugins/errors.ts';
import { ErrorResponse } from './schemas.ts';

// Same range as the integer id column: a larger number must be a 400, not a database error.
const Id = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;

// PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate would not read back as sent:
// both are refused along with the other control characters (text may contain tab and newlines).
const NAME_PATTERN = String.raw`^[^\p{Cc}\p{Cs}]*$`;
const TEXT_PATTERN = String.raw`^[^\p{Cs}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$`;

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
      description: 'Trimmed; 1-80 characters; no control characters',
      'x-pattern-message': 'must not contain control characters',
    },
    text: {
      type: 'string',
      minLength: 1,
      maxLength: 500,
      pattern: TEXT_PATTERN,
      description: 'Trimmed; 1-500 characters; no control characters except tab and newlines',
      'x-pattern-message': 'must not contain control characters other than tab and newlines',
    },
  },
} as const;

interface NewMessageBody {
  name: string;
  text: string;
}

export function messageRoutes(config: Config, db: Database) {
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify;
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });

    app.get<{ Querystring: { limit?: number; before?: number } }>(
      '/api/messages',
      {
        schema: {
          tags: ['messages'],
          summary: 'Latest messages, newest first',
          querystring: {
            type: 'object',
            properties: {
              limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
              before: { ...Id, description: 'Cursor: the nextCursor of the previous page' },
            },
            additionalProperties: false,
          },
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
          },
        },
      },
      async (request) => listMessages(db, request.query.limit ?? 20, request.query.before),
    );

    app.post<{ Body: NewMessageBody }>(
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
          response: { 201: Message, 400: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 429: ErrorResponse },
        },
      },
      async (request, reply) => {
        const message = await createMessage(db, request.body.name, request.body.text);
        return reply.code(201).send(message);
      },
    );

    app.delete<{ Params: { id: number } }>(
      '/api/messages/:id',
      {
        onRequest: requireAdmin(config.adminToken),
        schema: {
          tags: ['messages'],
          summary: 'Deletes a message (admin)',
          security: [{ adminToken: [] }],
          params: { type: 'object', required: ['id'], properties: { id: Id } },
          response: {
            204: { type: 'null', description: 'Deleted' },
            401: ErrorResponse,
            403: ErrorResponse,
            404: ErrorResponse,
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
  };
}
