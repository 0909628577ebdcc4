import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { JobKind, JobProgress, JobResult, Jobs, JobSnapshot, JobSource } from './api-types.js';
import { describeUserError } from './user-errors.js';

export type { JobKind, JobProgress, JobSnapshot, JobState } from './api-types.js';

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

  /**
   * Runs `run` as a job of `kind`. Its result, as the page gets it (api-types.ts `Jobs`), is what
   * `present` makes of the value `run` resolves with, or that value itself.
   */
  start<K extends JobKind, T>(
    kind: K,
    run: (ctx: JobContext) => Promise<T>,
    opts: { present: (result: T, jobId: string) => JobResult<K>; source?: JobSource<K> },
  ): Jobs[K];
  start<K extends JobKind>(
    kind: K,
    run: (ctx: JobContext) => Promise<JobResult<K>>,
    opts?: { source?: JobSource<K> },
  ): Jobs[K];
  start<T>(
    kind: JobKind,
    run: (ctx: JobContext) => Promise<T>,
    opts: { present?: (result: T, jobId: string) => unknown; source?: unknown } = {},
  ): JobSnapshot {
    const { present } = opts;
    // The overloads above tie result and source to the kind; one job object holds any of them.
    const job = {
      id: randomBytes(9).toString('base64url'),
      kind,
      state: 'running',
      startedAt: Date.now(),
      progress: {},
      ...(opts.source !== undefined ? { source: opts.source } : {}),
    } as JobSnapshot;
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
        job.result = (present ? present(result, job.id) : result) as JobSnapshot['result'];
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
