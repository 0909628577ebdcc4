import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { describeUserError, type UserError } from './user-errors.js';

export type JobKind =
  'create-backup' | 'import-backup' | 'export' | 'cloud-upload' | 'cloud-download';
export type JobState = 'running' | 'done' | 'failed';

/** What the page sees of a long operation; sent whole on every change (small). */
export interface JobSnapshot {
  id: string;
  kind: JobKind;
  state: JobState;
  startedAt: number;
  /** Free-form progress per item (e.g. per account), latest value wins. */
  progress: Record<string, JobProgress>;
  result?: unknown;
  error?: UserError;
  /** What the job works on, as the page described it (e.g. the backup being imported). */
  source?: unknown;
}

export interface JobProgress {
  label: string;
  done: number;
  total: number | null;
  phase: string;
}

export interface JobContext {
  report(key: string, progress: JobProgress): void;
}

/**
 * Long operations run on the server as jobs with ids, so that a page reload (or a second tab)
 * reattaches to the same progress. Jobs live in memory as long as the web app runs.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, JobSnapshot>();
  private readonly events = new EventEmitter();

  constructor() {
    this.events.setMaxListeners(0);
  }

  start<T>(
    kind: JobKind,
    run: (ctx: JobContext) => Promise<T>,
    opts: { present?: (result: T, jobId: string) => unknown; source?: unknown } = {},
  ): JobSnapshot {
    const { present } = opts;
    const job: JobSnapshot = {
      id: randomBytes(9).toString('base64url'),
      kind,
      state: 'running',
      startedAt: Date.now(),
      progress: {},
      ...(opts.source !== undefined ? { source: opts.source } : {}),
    };
    this.jobs.set(job.id, job);
    let lastEmit = 0;
    const ctx: JobContext = {
      report: (key, progress) => {
        job.progress[key] = progress;
        const now = Date.now();
        // At most ~10 updates a second; the final state is always sent.
        if (now - lastEmit >= 100 || progress.done === progress.total) {
          lastEmit = now;
          this.changed(job);
        }
      },
    };
    this.changed(job);
    void (async () => {
      try {
        const result = await run(ctx);
        job.result = present ? present(result, job.id) : result;
        job.state = 'done';
      } catch (err) {
        job.error = describeUserError(err);
        job.state = 'failed';
      }
      this.changed(job);
    })();
    return job;
  }

  get(id: string): JobSnapshot | undefined {
    return this.jobs.get(id);
  }

  list(kind?: JobKind): JobSnapshot[] {
    return [...this.jobs.values()].filter((j) => kind === undefined || j.kind === kind);
  }

  /** Calls `listener` with the job's state now and on every change; returns the unsubscribe. */
  watch(id: string, listener: (job: JobSnapshot) => void): () => void {
    const job = this.jobs.get(id);
    if (!job) return () => {};
    const onChange = (changed: JobSnapshot): void => {
      if (changed.id === id) listener(changed);
    };
    this.events.on('change', onChange);
    listener(job);
    return () => this.events.off('change', onChange);
  }

  /** Resolves when every running job has ended (used when the app shuts down). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ([...this.jobs.values()].some((j) => j.state === 'running') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private changed(job: JobSnapshot): void {
    this.events.emit('change', job);
  }
}
