import type { FastifyInstance } from 'fastify';
import type { JobEvents, JobKind } from '../api-types.js';
import type { WebContext } from '../context.js';
import { openEventStream } from '../sse.js';
import { route } from './route.js';

/** Long operations: list, look at one, follow one live (server-sent events). */
export function registerJobRoutes(app: FastifyInstance, ctx: WebContext): void {
  route(app, 'GET /api/jobs', async (request) => {
    // An unknown kind lists nothing.
    return { jobs: ctx.jobs.list(request.query.kind as JobKind | undefined) };
  });
  route(app, 'GET /api/jobs/:id', async (request, reply) => {
    const job = ctx.jobs.get(request.params.id);
    if (!job)
      return reply.code(404).send({
        error: 'No such operation.',
        hint: 'It may have ended before ferry web was restarted.',
      });
    return job;
  });
  route(app, 'GET /api/jobs/:id/events', async (request, reply) => {
    const job = ctx.jobs.get(request.params.id);
    if (!job) return reply.code(404).send({ error: 'No such operation.', hint: '' });
    let unwatch = (): void => {};
    const send = openEventStream<JobEvents>(request, reply, () => unwatch());
    unwatch = ctx.jobs.watch(job.id, (snapshot) => send('job', snapshot));
    return reply;
  });
}
