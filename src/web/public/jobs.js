// @ts-check
// Reattaching to server-side jobs: the latest job of a kind survives a page reload.
import { useEffect, useState } from 'preact/hooks';
import { get, followJob } from './api.js';

/** @typedef {import('../api-types.js').JobKind} JobKind */
/** @typedef {import('../api-types.js').Jobs} Jobs */

/**
 * The latest job of `kind` (followed live), and `track(job)` to follow a newly started one.
 * @template {JobKind} K
 * @param {K} kind
 * @returns {[Jobs[K] | null, (job: Jobs[K]) => void, (job: Jobs[K] | null) => void]}
 */
export function useLatestJob(kind) {
  const [job, setJob] = useState(/** @type {Jobs[K] | null} */ (null));
  useEffect(() => {
    let stop = () => {};
    let cancelled = false;
    get(`/api/jobs?kind=${kind}`)
      .then((answer) => {
        // `?kind=` lists only jobs of that kind.
        const jobs = /** @type {Jobs[K][]} */ (answer.jobs);
        const latest = jobs.sort((a, b) => b.startedAt - a.startedAt)[0];
        if (latest && !cancelled) {
          setJob(latest);
          if (latest.state === 'running') stop = followJob(latest.id, setJob);
        }
      })
      .catch(() => {});
    return () => {
      cancelled = true;
      stop();
    };
  }, [kind]);
  /** @param {Jobs[K]} started */
  const track = (started) => {
    setJob(started);
    followJob(started.id, setJob);
  };
  return [job, track, setJob];
}
