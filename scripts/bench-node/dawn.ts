// WebGPU in Node through Dawn (npm package `webgpu`): the only way to run the engine on a machine
// with a GPU and no browser. Loads dawn.node, installs its globals (GPUBufferUsage and friends)
// and navigator.gpu, so the engine's createBackend('webgpu') finds it as it would in a page.
//
// Where DAWN_NODE is set (../shared/tools/gpu-carry.sh's .gpu/env.sh on the GPU machine, where
// node_modules does not travel), dawn.node is loaded from that path; otherwise from the package.
// On a machine without a GPU driver, Vulkan finds SwiftShader (a CPU implementation) through the
// ICD file of the Debian chromium package: see swiftShaderEnv.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

export interface Dawn {
  gpu: GPU;
  /** Where dawn.node came from: "DAWN_NODE=…" or "npm webgpu". */
  source: string;
}

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const REEXEC = 'BENCH_NODE_SWIFTSHADER';

/**
 * The environment that lets Dawn find SwiftShader here, or null when none is needed or possible:
 * Vulkan is already pointed somewhere (VK_ICD_FILENAMES, VK_DRIVER_FILES, DAWN_NODE from
 * .gpu/env.sh), a system Vulkan driver other than Mesa's lavapipe (which gives Dawn no adapter)
 * is installed, or chromium's SwiftShader is absent. chromium also ships libvulkan.so.1, which
 * Debian's libvulkan1 package would otherwise provide: its directory goes last on
 * LD_LIBRARY_PATH, which the dynamic loader reads only at start, hence a fresh process.
 */
export function swiftShaderEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> | null {
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || env.DAWN_NODE || env[REEXEC]) return null;
  if (!existsSync(SWIFTSHADER_ICD)) return null;
  for (const d of ICD_DIRS) {
    if (!existsSync(d)) continue;
    if (readdirSync(d).some((f) => f.endsWith('.json') && !/^lvp_/.test(f))) return null;
  }
  const lib = '/usr/lib/chromium';
  return {
    VK_ICD_FILENAMES: SWIFTSHADER_ICD,
    LD_LIBRARY_PATH: env.LD_LIBRARY_PATH ? `${env.LD_LIBRARY_PATH}:${lib}` : lib,
    [REEXEC]: '1',
  };
}

/**
 * Runs this same command again with swiftShaderEnv's variables when they are needed, and exits
 * with its status; returns when they are not (already set, or not applicable).
 */
export function reexecWithSwiftShaderIfNeeded(): void {
  const add = swiftShaderEnv();
  if (!add) return;
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...add } });
  process.exit(r.status ?? (r.signal ? 1 : 0));
}

/** dawn.node's GPUDevice.destroy leaves buffers mapped; the package's index.js unmaps them, so do the same when loading dawn.node directly. */
function patchDestroy(globals: Record<string, unknown>): void {
  const D = globals.GPUDevice as { prototype: GPUDevice & Record<symbol, unknown> } | undefined;
  const mark = Symbol.for('webgpu.deviceDestroyUnmapsBuffers');
  if (!D?.prototype || D.prototype[mark]) return;
  const live = new WeakMap<GPUDevice, Set<WeakRef<GPUBuffer>>>();
  const { createBuffer, destroy } = D.prototype;
  D.prototype.createBuffer = function (this: GPUDevice, desc: GPUBufferDescriptor) {
    const b = createBuffer.call(this, desc);
    let s = live.get(this);
    if (!s) live.set(this, (s = new Set()));
    s.add(new WeakRef(b));
    return b;
  };
  D.prototype.destroy = function (this: GPUDevice) {
    for (const r of live.get(this) ?? []) {
      const b = r.deref();
      try {
        if (b?.mapState === 'mapped') b.unmap();
      } catch { /* best effort, as the package does */ }
    }
    live.delete(this);
    return destroy.call(this);
  };
  D.prototype[mark] = true;
}

/**
 * The Dawn flag that turns off its robustness transform (every storage access clamped to its
 * binding), which a page cannot: `--no-robustness`. Sound for this engine because the GPU op cases
 * run with it off and every tensor's surroundings poisoned (tests/ops-gpu.test.ts), and the kernels'
 * dims are checked against their tensors at record time (kernels/ops/shapes.ts checkSizes).
 */
export const NO_ROBUSTNESS = 'enable-dawn-features=disable_robustness';

/**
 * Loads Dawn, installs its globals and navigator.gpu. `flags` go to Dawn's create() (e.g.
 * 'enable-dawn-features=disable_robustness'); none by default, as a page gets.
 */
export async function loadDawn(flags: string[] = []): Promise<Dawn> {
  let mod: DawnModule;
  let source: string;
  const path = process.env.DAWN_NODE;
  if (path) {
    mod = createRequire(import.meta.url)(path) as DawnModule;
    patchDestroy(mod.globals);
    source = `DAWN_NODE=${path}`;
  } else {
    // Kept out of the single-file bundle (external): there DAWN_NODE is the way.
    mod = (await import('webgpu')) as unknown as DawnModule;
    source = 'npm webgpu';
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create(flags);
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  return { gpu, source };
}

/** A short description of an adapter, and whether it is a CPU implementation (SwiftShader, or any fallback adapter). */
export function describeAdapter(a: GPUAdapter): { name: string; software: boolean; info: Record<string, string | boolean> } {
  const i = a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const info = {
    vendor: i.vendor ?? '', architecture: i.architecture ?? '', device: i.device ?? '', description: i.description ?? '',
    isFallbackAdapter: Boolean(i.isFallbackAdapter ?? (a as { isFallbackAdapter?: boolean }).isFallbackAdapter),
  };
  const name = [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || info.description || 'unknown adapter';
  const software = info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(`${name} ${info.description}`);
  return { name, software, info };
}
