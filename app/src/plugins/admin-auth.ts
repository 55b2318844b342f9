// Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>`. Without a configured token the admin
// endpoints are disabled (503), never open. Tokens are compared in constant time: both sides are
// hashed to a fixed length first, so neither the content nor the length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function requireAdmin(adminToken: string | undefined) {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (expected === undefined) {
      return sendError(reply, 503, 'Admin endpoints are disabled: ADMIN_TOKEN is not configured on the server');
    }
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, 'Missing credentials: send Authorization: Bearer <admin token>');
    }
    if (!timingSafeEqual(digest(match[1]), expected)) return sendError(reply, 403, 'Invalid admin token');
  };
}
