// Parser for USB HID report descriptors (HID 1.11, section 6.2.2): short and long items, global state
// with push/pop, local usages and usage ranges, collections, and the bit layout of every input, output
// and feature report. It never throws: a malformed or hostile descriptor yields the fields parsed so
// far plus a list of problems, and every table it builds is capped.

export type HidReportKind = 'input' | 'output' | 'feature';

/** A run of usages; a single usage has min === max. Values are extended usages: page << 16 | id. */
export interface UsageSpan {
  min: number;
  max: number;
}

export interface HidField {
  kind: HidReportKind;
  /** 0 when the descriptor declares no report IDs. */
  reportId: number;
  /** Offset of the first element, in bits, from the first byte after the report ID byte. */
  bitOffset: number;
  reportSize: number;
  reportCount: number;
  /** Main item data bits: bit 0 constant, 1 variable, 2 relative, 6 null state. */
  flags: number;
  usages: UsageSpan[];
  logicalMin: number;
  logicalMax: number;
  /** Extended usages of the enclosing collections, outermost first. */
  collections: number[];
}

export interface HidDescriptor {
  fields: HidField[];
  /** True when the descriptor uses report IDs: every report then starts with its ID byte. */
  numbered: boolean;
  /** Extended usages of the top-level application collections. */
  applications: number[];
  /** Length in bytes of each report, ID byte excluded, keyed by `${kind}:${reportId}`. */
  reportBytes: Map<string, number>;
  /** Malformed items and caps reached; empty for a well-formed descriptor. */
  problems: string[];
}

export const FIELD_FLAG = { CONSTANT: 0x01, VARIABLE: 0x02, RELATIVE: 0x04, NULL_STATE: 0x40 } as const;

const LIMITS = { items: 8192, fields: 1024, usages: 1024, depth: 32, stack: 16, reportBits: 8 * 4096 };

interface Globals {
  usagePage: number;
  logicalMin: number;
  logicalMax: number;
  logicalMaxUnsigned: number;
  reportSize: number;
  reportId: number;
  reportCount: number;
}

interface LocalUsage {
  value: number;
  extended: boolean;
  /** The Usage Page in effect when the usage was declared (short usages only). */
  page: number;
}

export function usage(page: number, id: number): number {
  return ((page & 0xffff) * 0x10000 + (id & 0xffff)) >>> 0;
}

export function parseReportDescriptor(bytes: Uint8Array): HidDescriptor {
  const out: HidDescriptor = {
    fields: [],
    numbered: false,
    applications: [],
    reportBytes: new Map(),
    problems: [],
  };
  let g: Globals = {
    usagePage: 0,
    logicalMin: 0,
    logicalMax: 0,
    logicalMaxUnsigned: 0,
    reportSize: 0,
    reportId: 0,
    reportCount: 0,
  };
  const stack: Globals[] = [];
  const collections: number[] = [];
  let spans: { min: LocalUsage; max?: LocalUsage }[] = [];
  let pendingMin: LocalUsage | undefined;
  const bitsUsed = new Map<string, number>();

  const resolve = (u: LocalUsage): number => (u.extended ? u.value >>> 0 : usage(u.page, u.value));
  // A short usage takes the Usage Page in effect when it was declared; a Usage Page given after
  // usages, before their main item, applies backwards to those not yet in it (as Linux does, in
  // hid_concatenate_last_usage_page). Apple's telephony keypad needs the first rule: its Keyboard
  // Delete usage changes the page after twelve telephony usages of the same array.
  const concatenateLastPage = () => {
    const declared = spans.flatMap((s) => (s.max && s.max !== s.min ? [s.min, s.max] : [s.min])).reverse();
    for (const u of declared) {
      if (u.extended) continue;
      if (u.page === g.usagePage) break;
      u.page = g.usagePage;
    }
  };
  const resetLocals = () => {
    spans = [];
    pendingMin = undefined;
  };

  let i = 0;
  let items = 0;
  while (i < bytes.length) {
    if (++items > LIMITS.items) {
      out.problems.push(`more than ${LIMITS.items} items: rest ignored`);
      break;
    }
    const prefix = bytes[i]!;
    if (prefix === 0xfe) {
      // Long items carry vendor data we never need; skip them whole.
      const size = bytes[i + 1];
      if (size === undefined || i + 3 + size > bytes.length) {
        out.problems.push(`truncated long item at byte ${i}`);
        break;
      }
      i += 3 + size;
      continue;
    }
    const size = [0, 1, 2, 4][prefix & 3]!;
    const type = (prefix >> 2) & 3;
    const tag = prefix >> 4;
    if (i + 1 + size > bytes.length) {
      out.problems.push(`truncated item 0x${prefix.toString(16)} at byte ${i}`);
      break;
    }
    let unsigned = 0;
    for (let k = 0; k < size; k++) unsigned += bytes[i + 1 + k]! * 2 ** (8 * k);
    const signed = size === 0 ? 0 : unsigned >= 2 ** (8 * size - 1) ? unsigned - 2 ** (8 * size) : unsigned;
    i += 1 + size;

    if (type === 1) {
      switch (tag) {
        case 0x0:
          g.usagePage = unsigned & 0xffff;
          break;
        case 0x1:
          g.logicalMin = signed;
          break;
        case 0x2:
          g.logicalMax = signed;
          g.logicalMaxUnsigned = unsigned;
          break;
        case 0x7:
          g.reportSize = unsigned;
          break;
        case 0x8:
          g.reportId = unsigned & 0xff;
          out.numbered = true;
          break;
        case 0x9:
          g.reportCount = unsigned;
          break;
        case 0xa:
          if (stack.length >= LIMITS.stack) out.problems.push('push stack overflow');
          else stack.push({ ...g });
          break;
        case 0xb: {
          const popped = stack.pop();
          if (popped) g = popped;
          else out.problems.push('pop without push');
          break;
        }
        default:
          break; // Physical range, units and exponents do not matter for locating keys.
      }
    } else if (type === 2) {
      const value: LocalUsage = { value: unsigned, extended: size === 4, page: g.usagePage };
      if (spans.length >= LIMITS.usages) {
        if (tag <= 2) out.problems.push('too many usages for one main item');
        continue;
      }
      if (tag === 0x0) spans.push({ min: value, max: value });
      else if (tag === 0x1) pendingMin = value;
      else if (tag === 0x2) {
        if (pendingMin) spans.push({ min: pendingMin, max: value });
        else out.problems.push('usage maximum without minimum');
        pendingMin = undefined;
      }
    } else if (type === 0) {
      concatenateLastPage();
      if (tag === 0x8 || tag === 0x9 || tag === 0xb) {
        const kind: HidReportKind = tag === 0x8 ? 'input' : tag === 0x9 ? 'output' : 'feature';
        const key = `${kind}:${g.reportId}`;
        const offset = bitsUsed.get(key) ?? 0;
        const bits = g.reportSize * g.reportCount;
        if (offset + bits > LIMITS.reportBits) {
          out.problems.push(`report ${key} longer than ${LIMITS.reportBits / 8} bytes`);
        } else if (out.fields.length >= LIMITS.fields) {
          out.problems.push(`more than ${LIMITS.fields} fields: rest ignored`);
        } else {
          bitsUsed.set(key, offset + bits);
          const logicalMax =
            g.logicalMin >= 0 && g.logicalMax < g.logicalMin ? g.logicalMaxUnsigned : g.logicalMax;
          out.fields.push({
            kind,
            reportId: g.reportId,
            bitOffset: offset,
            reportSize: g.reportSize,
            reportCount: g.reportCount,
            flags: unsigned,
            usages: spans.map((s) => ({ min: resolve(s.min), max: resolve(s.max ?? s.min) })),
            logicalMin: g.logicalMin,
            logicalMax,
            collections: [...collections],
          });
        }
        resetLocals();
      } else if (tag === 0xa) {
        const first = spans[0];
        const collectionUsage = first ? resolve(first.min) : 0;
        if (collections.length >= LIMITS.depth) out.problems.push('collections nested too deep');
        else {
          if (collections.length === 0 && unsigned === 0x01) out.applications.push(collectionUsage);
          collections.push(collectionUsage);
        }
        resetLocals();
      } else if (tag === 0xc) {
        if (collections.pop() === undefined) out.problems.push('end collection without collection');
        resetLocals();
      } else {
        out.problems.push(`unknown main item tag 0x${tag.toString(16)}`);
        resetLocals();
      }
    }
    // Type 3 (reserved) items are skipped, as the specification requires.
  }
  if (collections.length > 0) out.problems.push('unclosed collection');
  for (const [key, bits] of bitsUsed) out.reportBytes.set(key, Math.ceil(bits / 8));
  return out;
}

/** The usage of element `index` of a field: ranges in order, the last usage repeating for variables. */
export function usageAt(field: HidField, index: number): number | undefined {
  let remaining = index;
  for (const span of field.usages) {
    const length = span.max >= span.min ? span.max - span.min + 1 : 1;
    if (remaining < length) return span.min + remaining;
    remaining -= length;
  }
  const last = field.usages.at(-1);
  return last && field.flags & FIELD_FLAG.VARIABLE ? last.max : undefined;
}

/** Index of `target` in the field's usage list, or -1. */
export function indexOfUsage(field: HidField, target: number): number {
  let base = 0;
  for (const span of field.usages) {
    const length = span.max >= span.min ? span.max - span.min + 1 : 1;
    if (target >= span.min && target < span.min + length) return base + (target - span.min);
    base += length;
  }
  return -1;
}
