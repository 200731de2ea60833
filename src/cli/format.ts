/**
 * How values read to people: money in the event's currency, times in the user's
 * time zone (TZ) and locale. No colour here, so it also serves CSV and prompts.
 */

/**
 * An amount in minor units (2500) as the currency shows it (€25.00, ¥2,500). The
 * decimal is built as a string, so no float ever touches the money path.
 */
export function formatMoney(minor: number, currency: string): string {
  const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorToDecimal(minor, digits) as unknown as number);
}

/** `2500`, 2 digits → `"25.00"`; `-5`, 2 → `"-0.05"`. */
export function minorToDecimal(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  if (digits === 0) return `${sign}${text}`;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

/** An RFC 3339 instant in the local time zone, e.g. `Sat, 1 May 2027, 19:00 BST`. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** A count with its noun, `1 ticket`, `3 tickets`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or newline. */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
