import type {
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteHandlerMethod,
} from 'fastify';
import type { ApiErrorBody, ApiRoutes, RouteKey } from '../api-types.js';

/**
 * A request body (or query) as the server receives it: the contract's field names, each value still
 * to be checked by the route (the page is not trusted to send what the contract says).
 */
export type Unchecked<T> = {
  [F in keyof T]?: NonNullable<T[F]> extends string | number | boolean
    ? unknown
    : Unchecked<NonNullable<T[F]>> | null;
};

type PathOf<K> = K extends `${string} ${infer P}` ? P : never;
type ParamNames<P> = P extends `${string}:${infer N}/${infer R}`
  ? N | ParamNames<R>
  : P extends `${string}:${infer N}`
    ? N
    : never;
type Wildcard<P> = P extends `${string}/*` ? '*' : never;
/** `/api/jobs/:id/files/:n` → `{ id: string; n: string }`. */
export type ParamsOf<P> = { [N in ParamNames<P> | Wildcard<P>]: string };

type Shape<K extends RouteKey> = ApiRoutes[K];
type Given<T> = [T] extends [never] ? unknown : Unchecked<T>;

/** What a route answers with status 200: its JSON, a file (stream or bytes), nothing (events). */
type Answer<K extends RouteKey> =
  Shape<K> extends { reply: infer R }
    ? R
    : Shape<K> extends { download: 'file' }
      ? NodeJS.ReadableStream | Buffer
      : never;

/** The Fastify route types of a route of the contract. */
export interface RouteOf<K extends RouteKey> {
  Params: ParamsOf<PathOf<K>>;
  Querystring: Shape<K> extends { query: infer Q } ? Given<Q> : unknown;
  Body: Shape<K> extends { body: infer B } ? Given<B> | undefined : unknown;
  Reply: { 200: Answer<K>; '4xx': ApiErrorBody; '5xx': ApiErrorBody };
}

export type RouteHandler<K extends RouteKey> = RouteHandlerMethod<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  RouteOf<K>
>;

/**
 * Registers the route of the contract named `key` ('POST /api/accounts/:jid/enable'): the method and
 * path are the contract's, and the handler's request and answers are typed by it.
 */
export function route<K extends RouteKey>(
  app: FastifyInstance,
  key: K,
  handler: RouteHandler<K>,
): void {
  const space = key.indexOf(' ');
  const method = key.slice(0, space) as 'GET' | 'POST';
  app.route({ method, url: key.slice(space + 1), handler: handler as RouteHandlerMethod });
}
