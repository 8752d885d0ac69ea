import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errorBody } from '../schemas';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Every answer carries its request id (x-request-id); every error is an ErrorBody: a thrown or
 * validation error, a 404, or a 405 with the methods the path has.
 */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const statusCode = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
      const message = error.validation
        ? `invalid request: ${error.message}`
        : statusCode >= 500 && statusCode !== 503
          ? 'internal error'
          : error.message;
      if (statusCode >= 500 && statusCode !== 503) request.log.error({ err: error }, 'request failed');
      return reply.code(statusCode).send(errorBody(statusCode, message, request.id));
    });
    const unrouted = (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0]!;
      // A known path asked with another method: 405 and the methods it has, as HTTP says.
      const allowed = METHODS.filter((method) => app.hasRoute({ method, url: path }));
      if (allowed.length > 0)
        return reply
          .code(405)
          .header('allow', allowed.join(', '))
          .send(errorBody(405, `${path} accepts ${allowed.join(', ')}, not ${request.method}`, request.id));
      return reply.code(404).send(errorBody(404, `no route ${request.method} ${path}`, request.id));
    };
    app.setNotFoundHandler(unrouted);
    // Answered before the body is read: an unrouted request is never parsed.
    app.addHook('onRequest', async (request, reply) => {
      if (request.is404) return unrouted(request, reply);
    });
    app.addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
  },
  { name: 'api-errors' },
);
