import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * The OpenAPI 3.1 document, generated from the routes' own zod schemas (the ones that validate every
 * request and response), served at /docs/openapi.json, with Swagger UI at /docs.
 */
const DOCS_ROUTES = ['/docs', '/docs/', '/docs/json', '/docs/yaml', '/docs/uiConfig', '/docs/initOAuth', '/docs/static/*', '/docs/*', '/docs/openapi.json'];

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'callstream query API',
        version: '1.0.0',
        description:
          'commubo-compatible call history (GET /v1/calls/{callId} and the list), plus our extensions: keyset ' +
          'pagination, filters, conversations and the raw stored callback. Errors are {"error":{"code","message"}}.',
      },
      components: {
        securitySchemes: {
          tenantId: { type: 'apiKey', in: 'header', name: 'x-commubo-tenantId', description: 'the tenant id' },
          accessToken: { type: 'apiKey', in: 'header', name: 'x-commubo-accessToken', description: 'the tenant access token' },
        },
      },
    },
    transform: createJsonSchemaTransform({ skipList: DOCS_ROUTES }),
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
