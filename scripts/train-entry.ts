// Browser side of the headless trainer: runs a session with the config from the URL fragment and
// reports every event through the exposed __emit function (the run itself: scripts/lib/train-run.ts).
import { runTraining, type Config } from './lib/train-run.ts';

declare const __emit: (json: string) => Promise<void>;
declare const __weights: () => Promise<string>; // base64 of --weights (checked in Node before the browser started)
const g = globalThis as { __ready?: boolean };

g.__ready = true;
const cfg = JSON.parse(decodeURIComponent(location.hash.slice(1))) as Config;
void runTraining(cfg, new URL('mnist/', location.href).toString(), __emit, __weights);
