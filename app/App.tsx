// Page layout: the model (presets, palette, layer stack), its settings (inspector and
// hyperparameters), and the run (controls, status, progress, curves).
import { DatasetPicker } from './builder/DatasetPicker.tsx';
import { BlockPalette } from './builder/BlockPalette.tsx';
import { Diagram } from './builder/Diagram.tsx';
import { Inspector } from './builder/Inspector.tsx';
import { LayerStack } from './builder/LayerStack.tsx';
import { Palette } from './builder/Palette.tsx';
import { PresetPicker } from './builder/PresetPicker.tsx';
import { useApp } from './store/index.ts';
import { selectBusy } from './store/selectors.ts';
import { Charts } from './training/Charts.tsx';
import { Controls } from './training/Controls.tsx';
import { ErrorPanel } from './training/ErrorPanel.tsx';
import { Hyperparams } from './training/Hyperparams.tsx';
import { EpochProgress, LoadingProgress, MetricsSummary } from './training/Progress.tsx';
import { StatusLine } from './training/StatusLine.tsx';
import { SharePanel } from './share/SharePanel.tsx';
import { Weights } from './training/Weights.tsx';
import { RunHistory } from './training/RunHistory.tsx';
import { ProfilePanel } from './training/ProfilePanel.tsx';
import { CrashPanel } from './ui/CrashPanel.tsx';
import { InsidePanel } from './inside/InsidePanel.tsx';
import { PlaygroundView } from './viz/PlaygroundView.tsx';
import { TryThis } from './learn/TryThis.tsx';
import { Predictions } from './inside/Predictions.tsx';
import { selectDataset } from './store/selectors.ts';

/** The header names what the model in the editor learns. */
function Tagline() {
  const d = useApp(selectDataset);
  const task = d.kind === 'mnist' ? 'MNIST handwritten digits' : d.kind === 'images' ? `your images (${d.name})` : d.name === 'char' ? 'text, one character at a time' : `the ${d.name} task`;
  return <p className="tagline" data-testid="tagline">Build a network, train it on {task} in your browser.</p>;
}

function ModelPanel() {
  const busy = useApp(selectBusy);
  return (
    <section className="panel model" aria-labelledby="model-h">
      <h2 id="model-h">Model</h2>
      <PresetPicker />
      <fieldset className="plain" disabled={busy}>
        <legend className="sr-only">Layers</legend>
        <LayerStack />
        <DatasetPicker />
        <Palette />
        <BlockPalette />
      </fieldset>
      <details className="diagram-box" open>
        <summary>Diagram</summary>
        <Diagram />
      </details>
    </section>
  );
}

function SettingsPanel() {
  const busy = useApp(selectBusy);
  return (
    <section className="panel settings" aria-labelledby="settings-h">
      <h2 id="settings-h">Settings</h2>
      <fieldset className="plain" disabled={busy}>
        <legend className="sr-only">Selected layer</legend>
        <Inspector />
      </fieldset>
      <Hyperparams />
    </section>
  );
}

function RunPanel() {
  return (
    <section className="panel run" aria-labelledby="run-h">
      <h2 id="run-h">Training</h2>
      <Controls />
      <StatusLine />
      <LoadingProgress />
      <EpochProgress />
      <ErrorPanel />
      <Charts />
      <Predictions />
      <MetricsSummary />
      <Weights />
      <ProfilePanel />
      <RunHistory />
    </section>
  );
}

export function App() {
  return (
    <>
      <header className="top">
        <h1>WebGPU NN Playground</h1>
        <Tagline />
        <SharePanel />
      </header>
      <CrashPanel />
      <main className="layout">
        <ModelPanel />
        <SettingsPanel />
        <RunPanel />
        <PlaygroundView />
        <TryThis />
        <InsidePanel />
      </main>
    </>
  );
}
