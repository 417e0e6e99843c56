// Browser side of tests/lib/browser-suite.ts: exposes a suite's cases as globalThis.__run, which
// returns { ok, value } or { ok: false, error } (message and stack) instead of throwing across
// the page boundary, and signals readiness with globalThis.__ready.
export type Cases = Record<string, (arg?: unknown) => Promise<unknown>>;

export function register(cases: Cases): void {
  const g = globalThis as unknown as { __run: (n: string, arg?: unknown) => Promise<unknown>; __ready: boolean };
  g.__run = async (name, arg) => {
    try {
      const c = cases[name];
      if (!c) throw new Error(`no case "${name}"; known: ${Object.keys(cases).join(', ')}`);
      return { ok: true, value: await c(arg) };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
    }
  };
  g.__ready = true;
}
