// The original app's hello world, kept: GET /api/hello?name=Ana -> {"message":"Hello, Ana!"}.
import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { ErrorResponse } from './schemas.ts';

const HelloQuery = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 100, description: 'Who to greet; "world" when absent' } },
  additionalProperties: false,
} as const;

export async function helloRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: FromSchema<typeof HelloQuery> }>(
    '/api/hello',
    {
      schema: {
        tags: ['hello'],
        summary: 'Greets by name',
        querystring: HelloQuery,
        response: {
          200: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
          400: ErrorResponse,
        },
      },
    },
    async (request) => {
      const name = request.query.name?.trim() || 'world';
      return { message: `Hello, ${name}!` };
    },
  );
}
