// axe-core in a page driven by playwright-core: injected from the package (never fetched), run
// against WCAG 2.1 A and AA only, and its violations turned into lines a person can act on.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

// The code that runs in the page is a string: this project is compiled without the DOM's types.
const RUN_AXE = `(async () => {
  const result = await window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    // Only the violations are read: axe then keeps one node per passing rule, which is faster.
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
  }));
})()`;

/** Runs axe on the whole document; returns the violations of WCAG 2.1 A/AA (empty when none). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate<boolean>(`'axe' in window`))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate<AxeViolation[]>(RUN_AXE);
}

/** One line per failing element, e.g. "color-contrast (serious) #btn-next: Fix any of: …". */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .flatMap((v) =>
      v.nodes.map(
        (n) => `${v.id} (${v.impact ?? 'n/a'}) ${n.target.join(' ')}: ${v.help}. ${n.failureSummary ?? ''}`,
      ),
    )
    .join('\n');
}

/** WCAG 2.1 A/AA violations of what the page shows now, one line each ("rule: help — targets"). */
export async function wcagViolations(page: Page): Promise<string[]> {
  return (await axeViolations(page)).map(
    (v) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}
