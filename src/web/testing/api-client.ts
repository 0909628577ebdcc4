/** The web app's JSON API as the page uses it (cookie + CSRF token), for tests. */
import type { RunningWebApp } from '../server.js';
import type { JobSnapshot } from '../jobs.js';

export interface ApiClient {
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  upload(
    path: string,
    name: string,
    content: Uint8Array,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Polls a job until it is no longer running. */
  waitForJob(id: string, timeoutMs?: number): Promise<JobSnapshot>;
}

export async function apiClient(app: RunningWebApp): Promise<ApiClient> {
  const token = new URL(app.url).searchParams.get('token') ?? '';
  const cookie = `ferry_token=${token}`;
  const page = await (await fetch(`${app.origin}/`, { headers: { cookie } })).text();
  const csrf = /name="ferry-csrf" content="([^"]+)"/.exec(page)?.[1] ?? '';
  const parse = async (res: Response) => ({
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
  });
  const client: ApiClient = {
    get: async (path) => parse(await fetch(app.origin + path, { headers: { cookie } })),
    post: async (path, body) =>
      parse(
        await fetch(app.origin + path, {
          method: 'POST',
          headers: { cookie, 'x-ferry-csrf': csrf, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ),
    upload: async (path, name, content) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(content)]), name);
      return parse(
        await fetch(app.origin + path, {
          method: 'POST',
          headers: { cookie, 'x-ferry-csrf': csrf },
          body: form,
        }),
      );
    },
    async waitForJob(id, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await client.get(`/api/jobs/${id}`);
        const job = body as unknown as JobSnapshot;
        if (job.state !== 'running') return job;
        if (Date.now() > until) throw new Error(`job ${id} still running`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  return client;
}
