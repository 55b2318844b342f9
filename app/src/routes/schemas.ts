// Shared response schemas (also the OpenAPI document's components).
import { Type } from 'typebox';

export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String(),
    requestId: Type.String(),
  },
  { description: 'Any error' },
);
