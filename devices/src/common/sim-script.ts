// The simulator's script language: steps separated by ';' or new lines, e.g.
//   lift; type 1234#; wait 2s; flash 200ms; hangup; unplug; wait 1s; replug
export type SimStep =
  | { op: 'lift' }
  | { op: 'hangup' }
  | { op: 'type'; keys: string }
  | { op: 'wait'; ms: number }
  | { op: 'flash'; ms: number }
  | { op: 'unplug' }
  | { op: 'replug' }
  | { op: 'hello' };

export type ScriptResult = { ok: true; steps: SimStep[] } | { ok: false; error: string };

const MAX_STEPS = 1000;

export function parseScript(script: string): ScriptResult {
  const steps: SimStep[] = [];
  const parts = script
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (parts.length > MAX_STEPS) return { ok: false, error: `more than ${MAX_STEPS} steps` };
  for (const [index, part] of parts.entries()) {
    const [word = '', ...rest] = part.split(/\s+/);
    const arg = rest.join('');
    const where = `step ${index + 1} ("${part}")`;
    switch (word.toLowerCase()) {
      case 'lift':
      case 'hangup':
      case 'unplug':
      case 'replug':
      case 'hello':
        if (arg) return { ok: false, error: `${where}: takes no argument` };
        steps.push({ op: word.toLowerCase() as 'lift' });
        break;
      case 'type':
        if (!/^[0-9*#]+$/.test(arg)) return { ok: false, error: `${where}: type takes keys 0-9 * #` };
        steps.push({ op: 'type', keys: arg });
        break;
      case 'wait':
      case 'flash': {
        const ms = parseDuration(arg);
        if (ms === undefined)
          return { ok: false, error: `${where}: expected a duration such as 500ms or 2s` };
        steps.push({ op: word.toLowerCase() as 'wait', ms });
        break;
      }
      default:
        return {
          ok: false,
          error: `${where}: unknown step (lift, hangup, type, wait, flash, unplug, replug, hello)`,
        };
    }
  }
  return { ok: true, steps };
}

/** Parses "250ms", "2s", "1.5s" or a bare number of milliseconds; at most one hour. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  return ms <= 3_600_000 ? Math.round(ms) : undefined;
}
