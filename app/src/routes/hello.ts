// The original app's hello world, kept: GET /api/hello?name=Ana -> {"message":"Hello, Ana!"}.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorResponse } from './schemas.ts';

export async function helloRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/hello',
    {
      schema: {
        tags: ['hello'],
        summary: 'Greets by name',
        querystring: Type.Object(
          { name: Type.Optional(Type.String({ maxLength: 100, description: 'Who to greet; "world" when absent' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ message: Type.String() }), 400: ErrorResponse },
      },
    },
    async (request) => {
      const name = request.query.name?.trim() || 'world';
      return { message: `Hello, ${name}!` };
    },
  );
}
