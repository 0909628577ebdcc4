// Reattaching to server-side jobs: the latest job of a kind survives a page reload.
import { useEffect, useState } from 'preact/hooks';
import { get, followJob } from './api.js';

/** The latest job of `kind` (followed live), and `track(job)` to follow a newly started one. */
export function useLatestJob(kind) {
  const [job, setJob] = useState(null);
  useEffect(() => {
    let stop = () => {};
    let cancelled = false;
    get(`/api/jobs?kind=${kind}`)
      .then(({ jobs }) => {
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
  const track = (started) => {
    setJob(started);
    followJob(started.id, setJob);
  };
  return [job, track, setJob];
}
