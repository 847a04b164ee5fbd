import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * The OpenAPI 3.1 document, generated from the routes' own zod schemas (the ones that validate every
 * request and response), served at /docs/openapi.json, with Swagger UI at /docs.
 */
const DOCS_ROUTES = [
  '/docs',
  '/docs/',
  '/docs/json',
  '/docs/yaml',
  '/docs/uiConfig',
  '/docs/initOAuth',
  '/docs/static/*',
  '/docs/*',
  '/docs/openapi.json',
];

/** The transform adds an input and an output variant of every named schema; keep those the paths use. */
function withoutUnusedSchemas<Document extends object>(document: Document): Document {
  const { components, ...rest } = document as { components?: { schemas?: Record<string, unknown> } };
  const schemas = { ...components?.schemas };
  for (let removed = true; removed;) {
    removed = false;
    const used = JSON.stringify([rest, schemas]);
    for (const name of Object.keys(schemas)) {
      if (!used.includes(`"#/components/schemas/${name}"`)) {
        delete schemas[name];
        removed = true;
      }
    }
  }
  return { ...document, components: { ...components, schemas } };
}

/** Registers on `app` itself (not a child context), so the swagger plugin sees every route added later. */
export function registerOpenApi(app: FastifyInstance): void {
  app.register(swagger, {
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
    transformObject: (document) => withoutUnusedSchemas(jsonSchemaTransformObject(document)),
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
  app.register(async (docs) => {
    docs.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  });
}
