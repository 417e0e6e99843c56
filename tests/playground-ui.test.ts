// The standalone UI pieces of issue 21, rendered on the server (no browser): the boundary figure
// is a region named "Decision boundary" (or "Regression surface") whose canvas says what it shows;
// its colours run orange → white → blue; the CSV upload offers a file input and nothing else
// until a file is read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { DecisionBoundary } from '../app/viz/DecisionBoundary.tsx';
import { blueShare, boundaryColour, boundaryPixels, gridT } from '../app/viz/boundaryPixels.ts';
import { CsvUpload } from '../app/builder/CsvUpload.tsx';
import { defaultPlayground, generatePlayground } from '../kernels/data/playground.ts';

test('boundary colours: orange at −1, white at 0, blue at +1; probabilities map through 2p − 1', () => {
  assert.deepEqual(boundaryColour(-1), [245, 147, 34]);
  assert.deepEqual(boundaryColour(0), [255, 255, 255]);
  assert.deepEqual(boundaryColour(1), [8, 119, 189]);
  assert.deepEqual(boundaryColour(0.5), [132, 187, 222]);
  assert.deepEqual(boundaryColour(NaN), [255, 0, 255]);
  assert.equal(gridT(0.75, false), 0.5);
  assert.equal(gridT(-0.3, true), -0.3);
  const px = boundaryPixels([0, 1, 0.5, 1], 2, false, 0);
  assert.deepEqual(Array.from(px.subarray(0, 8)), [245, 147, 34, 255, 8, 119, 189, 255]);
  assert.equal(blueShare([0.2, 0.7, 0.9, 0.5], false), 0.5);
});

test('the boundary figure is a named region whose canvas describes the picture', () => {
  const d = generatePlayground(defaultPlayground('circle'), 1);
  const values = new Float32Array(16).map((_, i) => (i < 4 ? 0.9 : 0.1));
  const html = renderToStaticMarkup(createElement(DecisionBoundary, {
    grid: { size: 4, extent: 6, values, regression: false }, regression: false, extent: 6, step: 120,
    train: { xy: d.points.train, targets: d.train.targets }, test: { xy: d.points.test, targets: d.test.targets },
  }));
  const id = html.match(/<figure[^>]*role="region"[^>]*aria-labelledby="([^"]+)"/)?.[1];
  assert.ok(id, html);
  assert.match(html, new RegExp(`<figcaption id="${id}">Decision boundary</figcaption>`));
  assert.match(html, /role="img" aria-label="Decision boundary at step 120: 25% of the square on the blue side \(class 1\); 250 training and 250 test points drawn on top"/);
  const reg = renderToStaticMarkup(createElement(DecisionBoundary, { grid: null, regression: true, extent: 6, train: { xy: new Float32Array(4), targets: [0.1, -0.2] } }));
  assert.match(reg, /<figcaption id="[^"]+">Regression surface<\/figcaption>/);
  assert.match(reg, /aria-label="Regression surface: not computed yet; 2 training points"/);
});

test('the CSV upload starts with a labelled file input, no alert and no table', () => {
  const html = renderToStaticMarkup(createElement(CsvUpload, { onUse: () => {} }));
  assert.match(html, /<label for="([^"]+)">CSV file[^<]*<\/label><input id="\1" type="file" accept=".csv,text\/csv"/);
  assert.doesNotMatch(html, /role="alert"|<table/);
  const asked = renderToStaticMarkup(createElement(CsvUpload, {
    onUse: () => {}, expect: { kind: 'csv', name: 'iris.csv', hash: '0123456789abcdef', rows: 150, inputs: 4, target: 'species', task: 'classification', classes: 3, trainRatio: 0.8 },
  }));
  assert.match(asked, /This model was trained on your own file iris\.csv \(150 rows, predicting &quot;species&quot;\), which never left that browser\. Choose the same file/);
});

test('the diagram carries a picture per input feature, hidden unit and output; wide layers show 16 and "+k more"', async () => {
  const { UnitPictures } = await import('../app/viz/UnitPictures.tsx');
  const { presetSpec } = await import('../kernels/model/presets.ts');
  const groups = (html: string) => [...html.matchAll(/<div class="unit-col" role="group" aria-label="([^"]+)">(.*?)<\/div>/g)]
    .map((m) => `${m[1]}: ${(m[2].match(/role="img"/g) ?? []).length}${m[2].match(/\+\d+ more/)?.[0] ? ` ${m[2].match(/\+\d+ more/)![0]}` : ''}`);
  const spiral = renderToStaticMarkup(createElement(UnitPictures, { spec: presetSpec('playground-spiral') }));
  assert.match(spiral, /role="group" aria-label="Unit pictures: each unit&#x27;s output over the square"/);
  assert.deepEqual(groups(spiral), ['Input features: 4', 'Layer 1, 8 units: 8', 'Layer 2, 8 units: 8', 'Output: 1']);
  assert.match(spiral, /aria-label="Input sin\(x₁\)"/);
  assert.match(spiral, /aria-label="Layer 2, unit 3: not computed yet"/, 'no answer yet: the hidden pictures say so');
  const wide = renderToStaticMarkup(createElement(UnitPictures, { spec: presetSpec('playground-spiral-dropout') }));
  assert.deepEqual(groups(wide), ['Input features: 4', 'Layer 1, 32 units: 16 +16 more', 'Layer 3, 32 units: 16 +16 more', 'Output: 1']);
  const mnist = renderToStaticMarkup(createElement(UnitPictures, { spec: presetSpec('mlp-mnist') }));
  assert.equal(mnist, '', 'only a playground model has unit pictures');
});

test('unit and feature pictures: a unit is tanh of its column, a feature is scaled by its largest magnitude', async () => {
  const { featureValues, unitValues } = await import('../app/viz/paint.ts');
  // (3 points, 2 units)
  const block = new Float32Array([0, 1, 0.5, -2, -1, 100]);
  assert.deepEqual(Array.from(unitValues(block, 2, 1)), [Math.fround(Math.tanh(1)), Math.fround(Math.tanh(-2)), 1]);
  assert.deepEqual(Array.from(featureValues(new Float32Array([2, 0, -4, 1, 1, 0]), 2, 0)), [0.5, -1, 0.25]);
});
