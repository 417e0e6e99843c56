// Live learning-rate changes (app/training/tune.ts): the learning rate typed while a run of the
// editor's model is busy or paused retunes that run (the store's runSpec follows the editor, and
// the page sends {type: 'setLr'}); any other change to the model leaves the run as it was.
// Run: node --import tsx --test tests/tune.test.ts
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { presetSpec } from '../kernels/model/presets.ts';
import { useApp } from '../app/store/index.ts';
import { setLearningRate } from '../app/training/tune.ts';

const store = () => useApp.getState();

beforeEach(() => {
  store().resetRun();
  const spec = presetSpec('mlp-mnist-small');
  spec.train.lr = 0.01;
  store().loadSpec(spec, null);
});

function pausedRun(): void {
  store().beginRun(store().spec);
  store().setRunStatus('paused');
}

test('a paused run of the editor’s model takes the new learning rate', () => {
  pausedRun();
  setLearningRate(0.005);
  assert.equal(store().spec.train.lr, 0.005);
  assert.equal(store().runSpec, store().spec, 'the run is still the editor’s model, so Train resumes it');
  assert.equal(store().runSpec?.train.lr, 0.005);
});

test('a running run takes it too; an out-of-range value is not sent, the next valid one is', () => {
  pausedRun();
  store().setRunStatus('running');
  setLearningRate(20);
  assert.equal(store().validation.ok, false);
  assert.equal(store().runSpec?.train.lr, 0.01, 'lr 20 fails validation and stays in the editor');
  setLearningRate(0.002);
  assert.equal(store().validation.ok, true);
  assert.equal(store().runSpec, store().spec);
  assert.equal(store().runSpec?.train.lr, 0.002);
});

test('after another edit the run is not retuned (the next Train builds a new run)', () => {
  pausedRun();
  const before = store().runSpec;
  store().updateTrain({ batchSize: 32 });
  setLearningRate(0.003);
  assert.equal(store().runSpec, before);
  assert.equal(store().runSpec?.train.lr, 0.01);
  // An optimizer set anew counts as an edit even with the same fields (parts compare by identity).
  store().updateTrain({ batchSize: before!.train.batchSize });
  store().setOptimizer({ ...before!.train.optimizer });
  setLearningRate(0.004);
  assert.equal(store().runSpec, before);
  assert.equal(store().runSpec?.train.lr, 0.01);
});

test('a number field set back to the run’s value is the run’s model again', () => {
  pausedRun();
  const batch = store().spec.train.batchSize;
  store().updateTrain({ batchSize: 32 });
  store().updateTrain({ batchSize: batch });
  setLearningRate(0.004);
  assert.equal(store().runSpec, store().spec);
  assert.equal(store().runSpec?.train.lr, 0.004);
});

test('with no run, or a finished one, only the editor changes', () => {
  setLearningRate(0.007);
  assert.equal(store().runSpec, null);
  assert.equal(store().spec.train.lr, 0.007);
  pausedRun();
  store().finishRun({ reason: 'finished', message: 'done', step: 5 });
  setLearningRate(0.008);
  assert.equal(store().runSpec?.train.lr, 0.007);
});
