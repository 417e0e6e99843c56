// Polls the live session for one view while that view is shown: once after each pause or step,
// and every `everyMs` while training (one request in flight at a time). Data is cleared when the
// run changes.
import { useEffect, useState } from 'react';
import { hasSession } from '../training/looks.ts';
import { useApp } from '../store/index.ts';
import { selectRunSpec, selectRunStatus, selectSessionStep } from '../store/selectors.ts';

export function useLive<T>(shown: boolean, everyMs: number, fetch: () => Promise<{ data: T | null; error?: string }>): { data: T | null; error: string | null; live: boolean } {
  const status = useApp(selectRunStatus);
  const step = useApp(selectSessionStep);
  const runSpec = useApp(selectRunSpec);
  const live = hasSession(status);
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setData(null), [runSpec]);
  useEffect(() => {
    if (!shown || !live) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      const r = await fetch();
      if (stop) return;
      if (r.data) setData(r.data);
      setError(r.data ? null : r.error ?? null);
      if (status === 'running') timer = setTimeout(() => void ask(), everyMs);
    };
    void ask();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
    // `fetch` is left out: callers pass a fresh closure each render over module-level requests.
  }, [shown, live, status, step, everyMs]);
  return { data, error, live };
}
