import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { resolveFromRoot } from '../../lib/config/paths';

const ASSETS = {
  'index.html': 'text/html; charset=utf-8',
  'try.js': 'text/javascript; charset=utf-8',
  'try.css': 'text/css; charset=utf-8',
} as const;

type Asset = keyof typeof ASSETS;

/** `/`: a page to try the model — plain HTML, CSS and a script, served from here (no CDN, no build). */
export function pageRoutes(): FastifyPluginAsync {
  const files = new Map<Asset, Buffer>();
  const read = (name: Asset) => {
    let file = files.get(name);
    if (!file) files.set(name, (file = readFileSync(resolveFromRoot('api', 'page', name))));
    return file;
  };
  return async (app) => {
    const serve = (name: Asset) => async (_request: unknown, reply: FastifyReply) =>
      reply.type(ASSETS[name]).header('cache-control', 'no-cache').send(read(name));
    app.get('/', { schema: { hide: true } }, serve('index.html'));
    app.get('/ui/try.js', { schema: { hide: true } }, serve('try.js'));
    app.get('/ui/try.css', { schema: { hide: true } }, serve('try.css'));
  };
}
