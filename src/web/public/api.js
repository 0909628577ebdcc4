// @ts-check
// Talking to the ferry server: JSON requests with the page's CSRF token, live events.
// Paths and answers are those of the API's contract (../api-types.ts): `get`, `post` and `upload`
// take only the contract's paths, and answer with its types.
/* global document, fetch, EventSource, FormData */

/** @typedef {import('../api-types.js').GetRoutes} GetRoutes */
/** @typedef {import('../api-types.js').PostRoutes} PostRoutes */
/** @typedef {import('../api-types.js').UploadRoutes} UploadRoutes */
/** @typedef {import('../api-types.js').ApiErrorBody} ApiErrorBody */
/** @typedef {import('../api-types.js').ErrorKind} ErrorKind */
/** @typedef {import('../api-types.js').Jobs} Jobs */
/** @typedef {import('../api-types.js').JobKind} JobKind */
/** @typedef {import('../api-types.js').LiveEvents} LiveEvents */

const csrf = document.querySelector('meta[name="ferry-csrf"]')?.getAttribute('content') ?? '';

/** An error the server explained: `message` (what happened) and `hint` (what to do). */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {string | undefined} hint
   * @param {ErrorKind | undefined} kind
   * @param {number} status
   */
  constructor(message, hint, kind, status) {
    super(message);
    this.hint = hint ?? '';
    /** @type {ErrorKind} */
    this.kind = kind ?? 'failed';
    this.status = status;
  }
}

/**
 * The answer's JSON; an error answer ({@link ApiErrorBody}) is thrown as an {@link ApiError}.
 * @param {Response} response
 * @returns {Promise<unknown>}
 */
async function parse(response) {
  const text = await response.text();
  /** @type {Partial<ApiErrorBody>} */
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

/**
 * @template {keyof GetRoutes} P
 * @param {P} path
 * @returns {Promise<GetRoutes[P]>}
 */
export async function get(path) {
  const body = await parse(await fetch(path, { credentials: 'same-origin' }));
  return /** @type {GetRoutes[P]} */ (body);
}

/**
 * @template {keyof PostRoutes} P
 * @param {P} path
 * @param {PostRoutes[P]['body']} [body]
 * @returns {Promise<PostRoutes[P]['reply']>}
 */
export async function post(path, body) {
  const answer = await parse(
    await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-ferry-csrf': csrf },
      body: JSON.stringify(body ?? {}),
    }),
  );
  return /** @type {PostRoutes[P]['reply']} */ (answer);
}

/**
 * @template {keyof UploadRoutes} P
 * @param {P} path
 * @param {File} file
 * @returns {Promise<UploadRoutes[P]>}
 */
export async function upload(path, file) {
  const form = new FormData();
  form.append('file', file, file.name);
  const answer = await parse(
    await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-ferry-csrf': csrf },
      body: form,
    }),
  );
  return /** @type {UploadRoutes[P]} */ (answer);
}

/**
 * Follows a server-side job; `onUpdate(snapshot)` on every change. Returns a function that stops.
 * @template {JobKind} K
 * @param {string} id
 * @param {(job: Jobs[K]) => void} onUpdate
 * @returns {() => void}
 */
export function followJob(id, onUpdate) {
  const source = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
  source.addEventListener('job', (e) => {
    /** @type {Jobs[K]} the job's events (`JobEvents`): the same job, kind and all */
    const job = JSON.parse(e.data);
    onUpdate(job);
    if (job.state !== 'running') source.close();
  });
  return () => source.close();
}

/**
 * Live events of the app (account states, new messages).
 * @param {{ [E in keyof LiveEvents]?: (data: LiveEvents[E]) => void }} handlers
 * @returns {() => void}
 */
export function liveEvents(handlers) {
  const source = new EventSource('/api/events');
  for (const [name, fn] of Object.entries(handlers)) {
    source.addEventListener(name, (e) => fn(JSON.parse(e.data)));
  }
  return () => source.close();
}

/**
 * A form's fields by name. The forms that are posted whole name their inputs after the request's
 * fields, so the caller says which request they make (`@type`); they have no file inputs.
 * @param {HTMLFormElement} form
 * @returns {unknown}
 */
export function formFields(form) {
  return Object.fromEntries(new FormData(form));
}

/** @param {number} n */
export function formatBytes(n) {
  // The same units as the command line and the HTML export: KiB, MiB, GiB.
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** @param {number} ms */
export function formatDate(ms) {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
