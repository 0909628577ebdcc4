import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Name of the cookie that carries the access token after the first visit. */
export const TOKEN_COOKIE = 'ferry_token';
/** Header the page sends with every state-changing request (the CSRF token from the page). */
export const CSRF_HEADER = 'x-ferry-csrf';

/** The secrets of one running web app: the access token (in the printed address) and the CSRF token. */
export interface AccessSecrets {
  token: string;
  csrf: string;
}

export function newAccessSecrets(): AccessSecrets {
  return {
    token: randomBytes(24).toString('base64url'),
    csrf: randomBytes(24).toString('base64url'),
  };
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A refusal: JSON for the page's requests, a readable page for a person who opened the address in
 * a browser (it asks for HTML), never raw JSON on screen.
 */
function refuse(
  reply: FastifyReply,
  status: number,
  error: string,
  hint: string,
  accept?: string,
): FastifyReply {
  const r = reply.code(status).header('cache-control', 'no-store');
  if (accept?.includes('text/html')) {
    return r
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
          '<meta name="viewport" content="width=device-width, initial-scale=1">' +
          `<title>ferry — ${escapeText(error)}</title>` +
          '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}' +
          'code{background:#eef;padding:0 .2rem}</style></head><body>' +
          `<h1>${escapeText(error)}</h1><p>${escapeText(hint).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>` +
          '</body></html>',
      );
  }
  return r.send({ error, hint });
}

/**
 * Guards every request of the web app:
 * - the Host header must name the loopback address and port the app listens on (DNS rebinding);
 * - a request from another site (Origin or Sec-Fetch-Site) is refused;
 * - the access token must come with the request: `?token=` (then set as a SameSite=Strict,
 *   HttpOnly cookie and the address bar cleaned by a redirect), the cookie, or
 *   `Authorization: Bearer TOKEN` for scripts;
 * - a state-changing request (anything but GET/HEAD) must also carry the page's CSRF token in the
 *   `X-Ferry-CSRF` header (scripts using the Bearer header are exempt: browsers never add it).
 */
export function installAccessGuard(
  app: FastifyInstance,
  secrets: AccessSecrets,
  allowedHosts: () => string[],
): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const host = request.headers.host ?? '';
    const hosts = allowedHosts();
    if (!hosts.includes(host.toLowerCase())) {
      return refuse(
        reply,
        403,
        'This address is not the ferry app.',
        'Open the address ferry web printed.',
      );
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
      return refuse(
        reply,
        403,
        'Requests from other web sites are refused.',
        'Use the ferry page itself.',
      );
    }
    const fetchSite = request.headers['sec-fetch-site'];
    if (fetchSite === 'cross-site' || fetchSite === 'same-site') {
      return refuse(
        reply,
        403,
        'Requests from other web sites are refused.',
        'Use the ferry page itself.',
      );
    }

    const url = new URL(request.url, 'http://localhost');
    const queryToken = url.searchParams.get('token') ?? undefined;
    const auth = request.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    const cookie = cookieValue(request.headers.cookie, TOKEN_COOKIE);

    if (
      queryToken !== undefined &&
      request.method === 'GET' &&
      sameSecret(queryToken, secrets.token)
    ) {
      url.searchParams.delete('token');
      reply
        .header('set-cookie', `${TOKEN_COOKIE}=${secrets.token}; Path=/; HttpOnly; SameSite=Strict`)
        .header('cache-control', 'no-store')
        .redirect(url.pathname + url.search, 303);
      return reply;
    }
    const viaBearer = sameSecret(bearer, secrets.token);
    if (!viaBearer && !sameSecret(cookie, secrets.token)) {
      return refuse(
        reply,
        401,
        'This page needs the access token.',
        'Open the full address (with ?token=…) that `ferry web` printed in the terminal.',
        request.headers.accept,
      );
    }
    const safe = request.method === 'GET' || request.method === 'HEAD';
    if (!safe && !viaBearer) {
      const csrf = request.headers[CSRF_HEADER];
      if (typeof csrf !== 'string' || !sameSecret(csrf, secrets.csrf)) {
        return refuse(
          reply,
          403,
          'The request did not come from the ferry page.',
          'Reload the page and try again.',
        );
      }
    }
    return undefined;
  });
}
