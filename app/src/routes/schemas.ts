// JSON Schemas for the routes (validation, serialization and the OpenAPI document), written as plain
// objects: a schema-builder library would cost more resident memory than the handful of schemas justify.

export const ErrorResponse = {
  description: 'Any error',
  type: 'object',
  required: ['statusCode', 'error', 'message', 'requestId'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    requestId: { type: 'string' },
  },
} as const;

export const Status = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string' } },
} as const;
