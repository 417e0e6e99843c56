// Adapter and device acquisition. Works in a window, a worker, and Node on Dawn (no DOM use).

export interface GpuContext {
  adapter: GPUAdapter;
  device: GPUDevice;
  adapterName: string;
  isFallbackAdapter: boolean;
  features: string[];
  /** The adapter's smallest subgroup size where the device has 'subgroups', else 0. */
  subgroupMinSize: number;
}

export class WebGpuUnavailable extends Error {}

/** Requests an adapter and a device with the adapter's limits raised to what it offers. */
export async function acquireGpu(gpu: GPU | undefined = (globalThis as { navigator?: Navigator }).navigator?.gpu): Promise<GpuContext> {
  if (!gpu) throw new WebGpuUnavailable('This browser has no WebGPU (navigator.gpu is missing).');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebGpuUnavailable('WebGPU is present but no usable GPU adapter was found.');
  const want: (keyof GPUSupportedLimits)[] = [
    'maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage',
  ];
  const requiredLimits: Record<string, number> = {};
  for (const k of want) requiredLimits[k] = adapter.limits[k] as number;
  const features = [...adapter.features].filter((f) => f === 'timestamp-query' || f === 'subgroups') as GPUFeatureName[];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures: features });
  const info = adapter.info;
  const adapterName = [info?.vendor, info?.architecture, info?.device].filter(Boolean).join(' ') || 'unknown adapter';
  return {
    adapter,
    device,
    adapterName,
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean })?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    features: [...device.features],
    subgroupMinSize: device.features.has('subgroups') ? Number((info as { subgroupMinSize?: number }).subgroupMinSize ?? 0) : 0,
  };
}
