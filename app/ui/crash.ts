// Any uncaught error or rejected promise on the page lands in a visible panel with a copyable
// report; nothing is reset, so the design and the run survive it.
import { useApp } from '../store/index.ts';

export interface Crash {
  message: string;
  stack: string;
  at: string; // ISO time
}

export function initCrashReporting(): void {
  const add = (message: string, stack: string) =>
    useApp.getState().addCrash({ message: message || 'Unknown error', stack, at: new Date().toISOString() });
  addEventListener('error', (e) => {
    if (e.error instanceof Error) add(e.error.message, e.error.stack ?? '');
    else add(String(e.message), `${e.filename}:${e.lineno}:${e.colno}`);
  });
  addEventListener('unhandledrejection', (e) => {
    const r = e.reason;
    add(r instanceof Error ? r.message : String(r), r instanceof Error ? (r.stack ?? '') : '');
  });
}

/** Everything a bug report needs, and nothing private: the spec, the backend, the errors. */
export function crashReport(): string {
  const s = useApp.getState();
  return JSON.stringify(
    {
      app: 'webgpu-nn-playground',
      url: location.href.split('#')[0],
      userAgent: navigator.userAgent,
      backend: s.backend ? { kind: s.backend.backend, adapter: s.backend.adapter } : s.probe,
      runStatus: s.runStatus,
      step: s.sessionStep,
      spec: s.spec,
      errors: s.crashes,
    },
    null,
    2,
  );
}
