import type { FastifyInstance } from 'fastify';
import type { JobKind } from '../jobs.js';
import type { WebContext } from '../context.js';
import { openEventStream } from '../sse.js';

/** Long operations: list, look at one, follow one live (server-sent events). */
export function registerJobRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get<{ Querystring: { kind?: JobKind } }>('/api/jobs', async (request) => {
    return { jobs: ctx.jobs.list(request.query.kind) };
  });
  app.get<{ Params: { id: string } }>('/api/jobs/:id', async (request, reply) => {
    const job = ctx.jobs.get(request.params.id);
    if (!job)
      return reply.code(404).send({
        error: 'No such operation.',
        hint: 'It may have ended before ferry web was restarted.',
      });
    return job;
  });
  app.get<{ Params: { id: string } }>('/api/jobs/:id/events', async (request, reply) => {
    const job = ctx.jobs.get(request.params.id);
    if (!job) return reply.code(404).send({ error: 'No such operation.', hint: '' });
    let unwatch = (): void => {};
    const send = openEventStream(request, reply, () => unwatch());
    unwatch = ctx.jobs.watch(job.id, (snapshot) => send('job', snapshot));
    return reply;
  });
}
