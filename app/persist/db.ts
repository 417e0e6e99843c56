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
