// Keeps the URL fragment and localStorage in step with the spec being edited, and loads a design
// on startup: a link in the URL first, else the design saved in this browser, else the default.
import { useApp } from '../store/index.ts';
import { decodeShare, encodeShare } from './codec.ts';

const STORAGE_KEY = 'playground.design.v1';
let lastWritten = '';

async function apply(fragment: string, source: 'link' | 'saved'): Promise<boolean> {
  const r = await decodeShare(fragment);
  const { loadSpec, setShareMessage } = useApp.getState();
  if (r.kind === 'empty') return false;
  if (r.kind === 'error') {
    setShareMessage({
      kind: 'error',
      messages: [source === 'link' ? 'This link could not be opened; the default model is shown instead.' : 'The design saved in this browser could not be restored.', ...r.errors],
    });
    return false;
  }
  loadSpec(r.spec, r.presetId);
  setShareMessage(r.notices.length ? { kind: 'notice', messages: ['The link was opened, with some parts left out:', ...r.notices] } : null);
  return true;
}

function save(fragment: string): void {
  lastWritten = fragment;
  history.replaceState(history.state, '', `#${fragment}`);
  try {
    localStorage.setItem(STORAGE_KEY, fragment);
  } catch {
    // Storage full or disabled: the link in the address bar still carries the design.
  }
}

export async function initShareSync(): Promise<void> {
  const hash = location.hash.replace(/^#/, '');
  let loaded = hash ? await apply(hash, 'link') : false;
  if (!hash) {
    let saved: string | null = null;
    try {
      saved = localStorage.getItem(STORAGE_KEY);
    } catch {
      saved = null;
    }
    if (saved) loaded = await apply(saved, 'saved');
  }
  void loaded;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const write = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void encodeShare(useApp.getState().spec).then(save), 250);
  };
  // Only a broken link keeps its fragment until the user edits something (so it can be inspected).
  if (!(hash && useApp.getState().shareMessage?.kind === 'error')) write();
  useApp.subscribe((s, prev) => {
    if (s.spec !== prev.spec) write();
  });
  addEventListener('hashchange', () => {
    const f = location.hash.replace(/^#/, '');
    if (f && f !== lastWritten) void apply(f, 'link');
  });
}
