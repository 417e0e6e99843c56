// A CPU kernel: a label and the closure that runs it with the step's parameters.
import type { Kernel, StepParams } from '../backend.ts';

export interface CpuKernel extends Kernel {
  exec(p: StepParams): void;
}

export const cpuKernel = (label: string, exec: (p: StepParams) => void): CpuKernel => ({ label, exec });
