// Entry: mount the app and start the training worker (it probes WebGPU straight away).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { initShareSync } from './share/sync.ts';
import { initTraining } from './training/run.ts';
import { initCrashReporting } from './ui/crash.ts';
import './styles.css';

initCrashReporting();
initTraining();
void initShareSync();
const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
