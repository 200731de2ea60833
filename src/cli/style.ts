import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';

/**
 * Colours and tables for people. Colour is off with `--json`, `--no-color`, a
 * non-empty `NO_COLOR`, or when stdout is not a terminal (pipes, files, CI logs).
 */
export interface StyleFlags {
  json?: boolean;
  /** false after `--no-color`. */
  color?: boolean;
}

export function isColorEnabled(flags: StyleFlags, env = process.env): boolean {
  if (flags.json || flags.color === false) return false;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(process.stdout.isTTY) && env.TERM !== 'dumb';
}

export function paint(flags: StyleFlags): ChalkInstance {
  return new Chalk({ level: isColorEnabled(flags) ? 1 : 0 });
}

/** A table with a header row; borders stay plain ASCII-free box lines only in colour mode. */
export function renderTable(flags: StyleFlags, head: string[], rows: string[][]): string {
  const c = paint(flags);
  const coloured = isColorEnabled(flags);
  const table = new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: coloured ? ['grey'] : [], compact: true },
    chars: coloured ? {} : PLAIN_CHARS,
  });
  table.push(...rows);
  return table.toString();
}

/** Without colour: no box drawing, just aligned columns that grep and cut read well. */
const PLAIN_CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' ',
};

/** Colour of an event or booking status. */
export function statusText(flags: StyleFlags, status: string): string {
  const c = paint(flags);
  if (status === 'published' || status === 'confirmed') return c.green(status);
  if (status === 'cancelled') return c.red(status);
  return c.yellow(status);
}
