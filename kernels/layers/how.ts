// Pieces of the "How it works" cards that several kinds share: numbers and shapes as TeX, and
// the activation formulas. Each kind's own card lives in its file (the `how` of its LayerDef).
import type { Activation } from '../model/types.ts';

/** A number as TeX: integers as they are, small or large values in scientific notation. */
export function texNum(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) {
    const [m, e] = v.toExponential().split('e');
    const mant = Number(Number(m).toPrecision(3));
    return `${mant === 1 ? '' : `${mant} \\times `}10^{${Number(e)}}`;
  }
  return String(Number(v.toPrecision(4)));
}

/** ℝ^{a×b×…} */
export const real = (dims: readonly number[]) => `\\mathbb{R}^{${dims.join(' \\times ')}}`;
/** (28 × 28 × 1) in prose. */
export const sizeText = (s: readonly number[]) => s.join(' × ');

const ACT_TEX: Record<Activation, { name: string; tex: string; text: string }> = {
  relu: { name: '\\mathrm{ReLU}', tex: '\\mathrm{ReLU}(z) = \\max(0,\\, z)', text: 'ReLU keeps positive values and sets negative ones to zero.' },
  leaky_relu: {
    name: '\\mathrm{LeakyReLU}', tex: '\\mathrm{LeakyReLU}(z) = \\max(0.01\\,z,\\; z)',
    text: 'Leaky ReLU keeps positive values and scales negative ones by 0.01, so their gradient never vanishes completely.',
  },
  gelu: {
    name: '\\mathrm{GELU}', tex: '\\mathrm{GELU}(z) = z\\,\\Phi(z) = \\tfrac{z}{2}\\left(1 + \\operatorname{erf}(z/\\sqrt{2})\\right)',
    text: 'GELU weighs each value by the probability that a standard normal variable is below it: a smooth ReLU.',
  },
  tanh: { name: '\\tanh', tex: '\\tanh(z) = \\frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}', text: 'The hyperbolic tangent (tanh) squashes every value into (−1, 1).' },
  sigmoid: { name: '\\sigma', tex: '\\sigma(z) = \\frac{1}{1 + e^{-z}}', text: 'The sigmoid squashes every value into (0, 1).' },
};

/** The activation's name in a formula (f when linear), its definition and a sentence; none: identity. */
export function actHow(a: Activation | 'none' | undefined): { name: string; tex: string | null; text: string } {
  if (!a || a === 'none') return { name: '', tex: null, text: 'There is no activation: the output is linear in the input.' };
  return ACT_TEX[a];
}
