/**
 * Worker thread of `backup import` (see import-on-thread.ts): restores one backup file and answers
 * with the result or the error. The thread's heap is bounded, so that the batches of values going
 * through it cannot make the process's memory grow.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { restoreRows, type ImportEvent, type ImportResult } from './restore-rows.js';
import { errorForThread, type ThreadError } from './thread-errors.js';

export interface ImportJob {
  dir: string;
  file: string;
  password: string;
}

export type ImportReply =
  | { kind: 'event'; event: ImportEvent }
  | { kind: 'done'; result: ImportResult }
  | { kind: 'failed'; error: ThreadError };

const port = parentPort;
if (port !== null) {
  const job = workerData as ImportJob;
  const send = (reply: ImportReply): void => port.postMessage(reply);
  restoreRows({ dir: job.dir }, job.file, job.password, (event) => send({ kind: 'event', event }))
    .then((result) => send({ kind: 'done', result }))
    .catch((err: unknown) => send({ kind: 'failed', error: errorForThread(err) }));
}
