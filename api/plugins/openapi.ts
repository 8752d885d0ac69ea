import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';

/** The OpenAPI description of the routes registered after it, and Swagger UI at /docs. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'arxiv-mlops inference API',
          version: '1.0.0',
          description:
            'Classifies arXiv papers (title + abstract) into their primary category with the champion model from MLflow.',
        },
        components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
        tags: [
          { name: 'predict', description: 'classification' },
          { name: 'model', description: 'the served model' },
          { name: 'health', description: 'liveness, readiness, metrics' },
        ],
      },
    });
    // Swagger UI sets inline styles; its own CSP would block them (and log it), so allow styles inline there too.
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      transformStaticCSP: (header) => header.replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'"),
    });
  },
  { name: 'api-openapi' },
);
