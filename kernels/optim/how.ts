// "How it works" for the training side: the loss, the optimizer's update rule with this spec's
// numbers (torch.optim's defaults filled in by optimizerConfig), the learning-rate schedule,
// warm-up and gradient clipping. TeX for KaTeX plus plain sentences, like the layer cards.
import type { HowCard } from '../layers/def.ts';
import { texNum } from '../layers/how.ts';
import type { ModelSpec } from '../model/types.ts';
import { optimizerConfig } from './config.ts';

function lossHow(spec: ModelSpec, outputs: number): HowCard {
  const B = spec.train.batchSize;
  if (spec.loss === 'mse')
    return {
      tex: [`L = \\frac{1}{${B} \\cdot ${outputs}} \\sum_{b=1}^{${B}} \\sum_{k=1}^{${outputs}} (\\hat{y}_{b,k} - y_{b,k})^2`],
      text: [`Mean squared error: the average squared gap between the ${outputs} predicted and true values over a batch of ${B}. Its gradient is 2(ŷ − y) / (${B} · ${outputs}).`],
    };
  return {
    tex: [
      `p_k = \\frac{e^{z_k}}{\\sum_{j=1}^{${outputs}} e^{z_j}}`,
      `L = -\\frac{1}{${B}} \\sum_{b=1}^{${B}} \\log p_{b,\\,y_b}`,
      '\\frac{\\partial L}{\\partial z_k} = \\frac{p_k - [k = y]}{B}',
    ],
    text: [`Softmax turns the ${outputs} scores z into probabilities; cross-entropy is minus the log-probability of the right class, averaged over a batch of ${B}. Its gradient is simply p minus the one-hot target.`],
  };
}

function optimizerHow(spec: ModelSpec): HowCard {
  const o = optimizerConfig(spec.train);
  const lr = texNum(spec.train.lr), wd = o.weightDecay;
  const g = wd && o.kind !== 'adamw' ? `(g + ${texNum(wd)}\\,\\theta)` : 'g';
  const wdText = wd ? (o.kind === 'adamw' ? ` Weight decay ${wd} shrinks θ directly, apart from the gradient (decoupled).` : ` Weight decay ${wd} adds ${wd}·θ to the gradient.`) : '';
  if (o.kind === 'sgd') {
    if (!o.momentum)
      return { tex: [`\\theta \\leftarrow \\theta - \\eta\\, ${g},\\quad \\eta = ${lr}`], text: [`Plain SGD: every weight θ steps against its gradient g, scaled by the learning rate η = ${spec.train.lr}.${wdText}`] };
    const mu = texNum(o.momentum);
    return {
      tex: [
        `v \\leftarrow ${mu}\\, v + ${g}`,
        o.nesterov ? `\\theta \\leftarrow \\theta - ${lr}\\,(${g} + ${mu}\\, v)` : `\\theta \\leftarrow \\theta - ${lr}\\, v`,
      ],
      text: [`SGD with ${o.nesterov ? 'Nesterov ' : ''}momentum ${o.momentum}: the velocity v keeps a running sum of past gradients, so steps build up along consistent directions and noise cancels out (learning rate η = ${spec.train.lr}).${wdText}`],
    };
  }
  const [b1, b2, eps] = [texNum(o.beta1), texNum(o.beta2), texNum(o.eps)];
  return {
    tex: [
      `m \\leftarrow ${b1}\\, m + (1 - ${b1})\\, ${g}`,
      `v \\leftarrow ${b2}\\, v + (1 - ${b2})\\, ${g}^2`,
      `\\hat{m} = \\frac{m}{1 - ${b1}^{t}},\\quad \\hat{v} = \\frac{v}{1 - ${b2}^{t}}`,
      `\\theta \\leftarrow \\theta - ${lr}\\, \\frac{\\hat{m}}{\\sqrt{\\hat{v}} + ${eps}}${o.kind === 'adamw' && wd ? ` - ${lr} \\cdot ${texNum(wd)}\\, \\theta` : ''}`,
    ],
    text: [`${o.kind === 'adamw' ? 'AdamW' : 'Adam'} (β1 = ${o.beta1}, β2 = ${o.beta2}, ε = ${o.eps}, η = ${spec.train.lr}): m averages the gradient and v its square; each weight's step is divided by its own typical gradient size, so all weights move at a similar pace. The hats undo the bias of starting m and v at zero.${wdText}`],
  };
}

function scheduleHow(spec: ModelSpec): HowCard {
  const t = spec.train, s = t.schedule, lr = texNum(t.lr);
  const warm = t.warmupSteps ? ` For the first ${t.warmupSteps} steps η rises linearly from 0 (warm-up), then the schedule starts.` : '';
  const card = (tex: string, text: string): HowCard => ({ tex: [tex], text: [text + warm] });
  switch (s.kind) {
    case 'constant': return card(`\\eta_t = ${lr}`, 'The learning rate stays the same for the whole run.');
    case 'step': return card(`\\eta_t = ${lr} \\cdot ${texNum(s.gamma)}^{\\lfloor t / ${s.everySteps} \\rfloor}`, `Every ${s.everySteps} steps the learning rate is multiplied by ${s.gamma}.`);
    case 'exponential': return card(`\\eta_t = ${lr} \\cdot ${texNum(s.gamma)}^{t / 1000}`, `The learning rate shrinks smoothly, by a factor ${s.gamma} every 1000 steps.`);
    case 'cosine': {
      const min = texNum(s.minLr ?? 0);
      return card(
        `\\eta_t = ${min} + \\tfrac{1}{2}(${lr} - ${min})\\left(1 + \\cos\\left(\\pi \\min(1, t / ${s.totalSteps})\\right)\\right)`,
        `The learning rate falls along half a cosine from ${t.lr} to ${s.minLr ?? 0} over ${s.totalSteps} steps: large steps early, fine ones at the end.`,
      );
    }
  }
}

function clipHow(spec: ModelSpec): HowCard {
  const c = spec.train.clipNorm ?? 0;
  if (!c) return { tex: ['\\|g\\|_2 = \\sqrt{\\textstyle\\sum_i g_i^2}'], text: ['Gradient clipping is off (clip norm 0): the gradient is used as it is.'] };
  return {
    tex: [`g \\leftarrow g \\cdot \\min\\!\\left(1,\\; \\frac{${texNum(c)}}{\\|g\\|_2}\\right)`],
    text: [`When the gradient of all weights together is longer than ${c}, it is scaled down to length ${c}: same direction, a bounded step, so one bad batch cannot throw the weights far.`],
  };
}

/** The training cards, titled: loss, optimizer, schedule, clipping. `outputs`: the model's last width. */
export function trainHow(spec: ModelSpec, outputs: number): { title: string; card: HowCard }[] {
  return [
    { title: spec.loss === 'mse' ? 'Loss: mean squared error' : 'Loss: softmax cross-entropy', card: lossHow(spec, outputs) },
    { title: 'Optimizer', card: optimizerHow(spec) },
    { title: 'Learning-rate schedule', card: scheduleHow(spec) },
    { title: 'Gradient clipping', card: clipHow(spec) },
  ];
}
