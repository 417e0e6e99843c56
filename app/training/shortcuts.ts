// Page-wide keys: Space or Ctrl/⌘+Enter trains or pauses, S steps. Space is left to a focused
// control (it presses buttons, toggles boxes) and S to text entry; Ctrl+Enter works everywhere,
// even in a field.
import { useEffect } from 'react';
import { useApp } from '../store/index.ts';
import { pause, step, train } from './run.ts';

export const TRAIN_KEYS = 'Space Control+Enter Meta+Enter';
export const STEP_KEYS = 'S';

/** Where the key means typing (S) or where Space already does something (buttons, links, the drawing pad). */
function ownsKey(t: EventTarget | null, key: string): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.closest('[role=slider],[role=textbox]')) return true;
  return key === ' ' && /^(BUTTON|SUMMARY|A|CANVAS)$/.test(t.tagName);
}

/** Train when it can, else pause when it can (what one key toggling the run means). */
export function trainOrPause(): void {
  const s = useApp.getState().runStatus;
  if (s === 'loading' || s === 'compiling' || s === 'running') pause();
  else train();
}

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.repeat) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key === 'Enter') {
        e.preventDefault();
        trainOrPause();
        return;
      }
      if (mod || e.shiftKey || ownsKey(e.target, e.key)) return;
      if (e.key === ' ') {
        e.preventDefault(); // not a page scroll
        trainOrPause();
      } else if (e.key === 's' || e.key === 'S') {
        e.preventDefault();
        step();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
}
