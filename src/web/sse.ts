import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Opens a server-sent-events stream on `reply` and returns a function that sends one event, named
 * and shaped as `Events` says (api-types.ts: `LiveEvents`, a job's `{ job }`).
 * `onClose` runs when the browser goes away (page closed or reloaded).
 */
export function openEventStream<Events>(
  request: FastifyRequest,
  reply: FastifyReply,
  onClose: () => void,
): <E extends keyof Events & string>(event: E, data: Events[E]) => void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
  });
  res.write(': ferry\n\n');
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    onClose();
  };
  request.raw.on('close', close);
  res.on('close', close);
  return (event, data) => {
    if (closed) return;
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
}
