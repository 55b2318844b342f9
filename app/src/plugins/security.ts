// Security headers (helmet) with a Content-Security-Policy the guestbook page satisfies: it loads only
// its own script and stylesheet files, no inline code, and talks only to its own origin.
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export const pageCsp = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

export async function configureSecurity(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: pageCsp },
    // Plain HTTP on localhost must keep working; TLS ends at CloudFront/ALB, which set HSTS there.
    strictTransportSecurity: false,
  });
}
