// Talking to the ferry server: JSON requests with the page's CSRF token, live events.
/* global document, fetch, EventSource, FormData */

const csrf = document.querySelector('meta[name="ferry-csrf"]')?.getAttribute('content') ?? '';

/** An error the server explained: `message` (what happened) and `hint` (what to do). */
export class ApiError extends Error {
  constructor(message, hint, kind, status) {
    super(message);
    this.hint = hint ?? '';
    this.kind = kind ?? 'failed';
    this.status = status;
  }
}

async function parse(response) {
  const text = await response.text();
  let body = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { error: text };
  }
  if (!response.ok) {
    throw new ApiError(
      body.error ?? `Request failed (${response.status})`,
      body.hint,
      body.kind,
      response.status,
    );
  }
  return body;
}

export async function get(path) {
  return parse(await fetch(path, { credentials: 'same-origin' }));
}

export async function post(path, body) {
  return parse(
    await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-ferry-csrf': csrf },
      body: JSON.stringify(body ?? {}),
    }),
  );
}

export async function upload(path, file) {
  const form = new FormData();
  form.append('file', file, file.name);
  return parse(
    await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-ferry-csrf': csrf },
      body: form,
    }),
  );
}

/** Follows a server-side job; `onUpdate(snapshot)` on every change. Returns a function that stops. */
export function followJob(id, onUpdate) {
  const source = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
  source.addEventListener('job', (e) => {
    const job = JSON.parse(e.data);
    onUpdate(job);
    if (job.state !== 'running') source.close();
  });
  return () => source.close();
}

/** Live events of the app (account states, new messages). */
export function liveEvents(handlers) {
  const source = new EventSource('/api/events');
  for (const [name, fn] of Object.entries(handlers)) {
    source.addEventListener(name, (e) => fn(JSON.parse(e.data)));
  }
  return () => source.close();
}

export function formatBytes(n) {
  // The same units as the command line and the HTML export: KiB, MiB, GiB.
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

export function formatDate(ms) {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
