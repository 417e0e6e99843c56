// A list of spec problems in people's words, each with its one-click fix where shape inference
// found one that clears it (add Flatten, set units to 10, add output layer).
import { issueText, type SpecIssue } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectApplyFix } from '../store/selectors.ts';

export function Issues({ issues, className, id, prefix }: { issues: readonly SpecIssue[]; className: string; id?: string; prefix?: (e: SpecIssue) => string }) {
  const applyFix = useApp(selectApplyFix);
  if (!issues.length) return null;
  return (
    <ul className={className} id={id}>
      {issues.map((e, k) => (
        <li key={k}>
          {prefix?.(e) ?? ''}{issueText(e)}
          {e.fix ? (
            <>
              {' '}
              <button
                type="button" className="fix" data-testid="fix"
                // Above the row's full-size select target (.layer-main::after), so the click reaches the fix.
                style={{ position: 'relative', zIndex: 1, marginLeft: 4 }}
                aria-label={`${e.fix.label} (fix${e.layer !== undefined ? ` for layer ${e.layer + 1}` : ''})`}
                onClick={() => e.fix && applyFix(e.fix)}
              >
                {e.fix.label}
              </button>
            </>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
