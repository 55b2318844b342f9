// Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>`. Without a configured token the admin
// endpoints are disabled (503), never open. Tokens are compared in constant time: both sides are
// hashed to a fixed length first, so neither the content nor the length leaks through timing.
// Failed attempts are throttled per client (429 with Retry-After after ADMIN_FAILURES_PER_WINDOW), so a token
// cannot be brute-forced; requests with the right token are never counted.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { sendError } from './errors.ts';

export const ADMIN_FAILURES_PER_WINDOW = 10;
export const ADMIN_FAILURE_WINDOW_MS = 15 * 60 * 1000;

const digest = (value: string) => createHash('sha256').update(value).digest();

function bearer(request: FastifyRequest): string | undefined {
  return /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
}

/** The admin routes' onRequest hooks: the failure throttle first, then the check itself. */
export function requireAdmin(app: FastifyInstance, adminToken: string | undefined): onRequestHookHandler[] {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  const valid = (request: FastifyRequest) => {
    const token = bearer(request);
    return expected !== undefined && token !== undefined && timingSafeEqual(digest(token), expected);
  };
  const throttle = app.rateLimit({
    max: ADMIN_FAILURES_PER_WINDOW,
    timeWindow: ADMIN_FAILURE_WINDOW_MS,
    groupId: 'admin-failures',
    allowList: valid,
  });
  const check = async (request: FastifyRequest, reply: FastifyReply) => {
    if (expected === undefined) {
      return sendError(reply, 503, 'Admin endpoints are disabled: ADMIN_TOKEN is not configured on the server');
    }
    if (bearer(request) === undefined) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, 'Missing credentials: send Authorization: Bearer <admin token>');
    }
    if (!valid(request)) return sendError(reply, 403, 'Invalid admin token');
  };
  return [throttle as onRequestHookHandler, check];
}
