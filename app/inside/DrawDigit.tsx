// Draw a digit (mouse, touch or pen) and see the live model's ten class probabilities, refreshed
// after every stroke. The drawing is preprocessed like MNIST (preprocess.ts) and classified by
// the real model in the worker (a batch-of-one forward over the session's current weights).
import { useEffect, useRef, useState, type PointerEvent } from 'react';
import { requestPrediction } from '../training/looks.ts';
import { fmtPct } from '../ui/format.ts';
import { toMnist } from './preprocess.ts';

const SIZE = 280; // drawing resolution; a stroke ~2 px wide after scaling to MNIST's 20×20 box
const PEN = 20;

export function DrawDigit({ ready }: { ready: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const preview = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);
  const [probs, setProbs] = useState<Float32Array | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [drawn, setDrawn] = useState(false);
  const asking = useRef(0);

  const clear = () => {
    const ctx = canvas.current?.getContext('2d');
    if (ctx) {
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, SIZE, SIZE);
    }
    preview.current?.getContext('2d')?.clearRect(0, 0, 28, 28);
    setProbs(null);
    setMessage(null);
    setDrawn(false);
  };
  useEffect(clear, []);

  const point = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * SIZE, y: ((e.clientY - r.top) / r.height) * SIZE };
  };
  const line = (a: { x: number; y: number }, b: { x: number; y: number }) => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = PEN;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  };

  const classify = async () => {
    const ctx = canvas.current?.getContext('2d', { willReadFrequently: true });
    if (!ctx) return;
    const rgba = ctx.getImageData(0, 0, SIZE, SIZE).data;
    const ink = new Float32Array(SIZE * SIZE);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4] / 255;
    const x = toMnist(ink, SIZE, SIZE);
    drawPreview(preview.current, x);
    if (!ready) return setMessage('Train (or step) an MNIST model first: the prediction uses its current weights.');
    const id = ++asking.current;
    const r = await requestPrediction(x);
    if (id !== asking.current) return; // a newer stroke's answer is on its way
    setProbs(r.probs);
    setMessage(r.probs ? null : `No prediction: ${r.error ?? 'no live session'}.`);
  };

  const down = (e: PointerEvent<HTMLCanvasElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    const p = point(e);
    last.current = p;
    line(p, p);
    setDrawn(true);
  };
  const move = (e: PointerEvent<HTMLCanvasElement>) => {
    if (!last.current) return;
    const p = point(e);
    line(last.current, p);
    last.current = p;
  };
  const up = () => {
    if (!last.current) return;
    last.current = null;
    void classify();
  };

  const best = probs ? probs.indexOf(Math.max(...probs)) : -1;
  return (
    <div className="draw-digit" role="group" aria-label="Draw a digit">
      <div className="draw-pads">
        <canvas
          ref={canvas} width={SIZE} height={SIZE} className="draw-pad" aria-label="Drawing pad: draw a digit with the mouse, a finger or a pen"
          onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerCancel={up}
        />
        <div className="draw-side">
          <canvas ref={preview} width={28} height={28} className="draw-preview" role="img" aria-label="What the model sees (28×28)" />
          <button type="button" onClick={clear} disabled={!drawn}>Clear</button>
        </div>
      </div>
      {message ? <p className="hint" role="status">{message}</p> : null}
      <ol className="probs" aria-label="Digit probabilities" data-testid="digit-probs" data-ready={probs ? 'true' : 'false'}>
        {Array.from({ length: 10 }, (_, d) => {
          const p = probs?.[d] ?? 0;
          return (
            <li key={d} data-digit={d} data-p={probs ? String(p) : ''} className={d === best ? 'best' : undefined} aria-label={`${d}: ${probs ? fmtPct(p) : 'no prediction'}`}>
              <span className="prob-digit">{d}</span>
              <span className="prob-bar"><span style={{ width: `${(p * 100).toFixed(1)}%` }} /></span>
              <span className="prob-value">{probs ? fmtPct(p) : '–'}</span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function drawPreview(cv: HTMLCanvasElement | null, x: Float32Array) {
  const ctx = cv?.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(x[i] * 255);
    img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
