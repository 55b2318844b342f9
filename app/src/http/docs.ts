// OpenAPI 3 generated from the route schemas (GET /docs/json) and Swagger UI at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function configureDocs(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Nodeapp API',
        description: 'A guestbook: hello, messages (public read and post, admin delete) and health checks.',
        version,
      },
      components: {
        securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' } },
      },
      tags: [
        { name: 'hello', description: 'The original hello world' },
        { name: 'messages', description: 'Guestbook messages' },
        { name: 'health', description: 'Load balancer and container health checks' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Swagger UI's own files are served with their own CSP (no inline scripts there either).
    staticCSP: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      'frame-ancestors': ["'none'"],
    },
  });
}
