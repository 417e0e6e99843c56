// A tiny promise wrapper over IndexedDB (page and worker alike): trained weights and run history
// are too big for localStorage and must survive a reload.

const DB = 'playground';
const STORE = 'kv';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

async function tx<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = f(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result as T);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

export const dbGet = <T>(key: string) => tx<T | undefined>('readonly', (s) => s.get(key));
export const dbPut = (key: string, value: unknown) => tx<IDBValidKey>('readwrite', (s) => s.put(value, key));
export const dbDelete = (key: string) => tx<undefined>('readwrite', (s) => s.delete(key));

/** The key a spec's saved run lives under: FNV-1a of its JSON (the name does not matter). */
export function runKey(spec: object): string {
  const s = JSON.stringify({ ...spec, name: undefined });
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return `run:${h.toString(16)}`;
}

export interface SavedRun {
  bytes: Uint8Array; // safetensors checkpoint: weights, optimizer state, spec, step
  step: number;
  savedAt: number;
}

/**
 * Why the run saved for `spec` cannot be resumed, or null (also when none is saved: the caller
 * reports that). `check` is the checkpoint check every door uses (kernels/train/checkpoint.ts).
 */
export async function savedRunProblem(spec: object, check: (spec: never, bytes: Uint8Array) => string | null): Promise<string | null> {
  let r: unknown;
  try {
    r = await dbGet<unknown>(runKey(spec));
  } catch {
    return null; // IndexedDB unavailable: the worker reports it when it tries
  }
  if (r === undefined) return null;
  const rec = r as Partial<SavedRun> | null;
  if (!rec || typeof rec !== 'object' || !(rec.bytes instanceof Uint8Array)) return 'the saved record holds no weights file';
  return check(spec as never, rec.bytes);
}
