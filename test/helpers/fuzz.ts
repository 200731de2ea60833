import { expect } from 'chai';
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { DatabaseSnapshot } from './db-state.js';

/**
 * Building blocks of the property-based suites: hostile values, a raw HTTP sender
 * that fetch's own checks do not get in the way of, and the check every refused
 * request must pass.
 */

/** A request exactly as the fuzzer sends it. */
export interface RawRequest {
  method: string;
  /** Path and query, already percent-encoded. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends one request over a fresh connection, with no client-side validation beyond Node's. */
export function sendRaw(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(req.body.length);
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Writes `bytes` on a bare TCP connection and returns all the server answers. */
export function sendBytes(baseUrl: string, bytes: Buffer): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset a connection it has already answered and closed.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
        resolve(Buffer.concat(chunks).toString('latin1'));
      } else reject(error);
    });
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.setTimeout(10_000, () => socket.destroy());
    socket.end(bytes);
  });
}

/**
 * The contract for every answer to hostile input: never a 5xx; a refusal is
 * problem+json with a `code`, and leaves the database as it was.
 */
export async function expectSafeAnswer(
  req: RawRequest,
  res: RawResponse,
  before: DatabaseSnapshot,
  after: () => Promise<DatabaseSnapshot>,
): Promise<void> {
  const shown = `${req.method} ${req.path.slice(0, 200)} -> ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, shown).to.be.within(200, 499);
  if (res.status < 400) return;

  expect(res.headers['content-type'], shown).to.match(/^application\/problem\+json/);
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body.status, shown).to.equal(res.status);
  expect(body.code, shown)
    .to.be.a('string')
    .and.match(/^[a-z_]+$/);
  expect(body.instance, shown).to.be.a('string');
  expect(res.text, shown).to.not.match(/\n\s+at |node_modules|\.ts:\d+|SELECT|select /);
  expect(await after(), shown).to.deep.equal(before);
}

// ---------------------------------------------------------------- values

/** A lone UTF-16 surrogate: not Unicode text at all. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Any text: every code point, lone surrogates, NUL, controls, combining marks, emoji. */
export const anyText = (maxLength = 60) =>
  fc.string({
    unit: fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
      fc.constantFrom('\u0000', '\u200b', '\u202e', '\ufeff', '\u3000', '\u0301', '🎟️', '"', '\\'),
      loneSurrogate,
    ),
    maxLength,
  });

const numbers = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    1.5,
    0.1,
    1e-7,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    1e21,
    1e308,
    -1e308,
    1000,
    1001,
    10_000_001,
  ),
);

const timestampText = fc.oneof(
  fc
    .date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') })
    .filter((d) => !Number.isNaN(d.getTime()))
    .map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .integer({ min: -3, max: 800 })
    .map((days) => new Date(Date.now() + days * 86_400_000).toISOString()),
  fc.constantFrom(
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+14:00',
    '9999-12-31T23:59:59-12:00',
    '2027-02-30T10:00:00Z',
    '2027-13-01T00:00:00Z',
    '2027-05-01T24:00:00Z',
    '2027-05-01T18:00:60Z',
    '2027-05-01T18:00:00',
    '2027-05-01',
    '+275760-09-13T00:00:00.000Z',
    '2027-05-01T18:00:00.123456789Z',
    '2027-05-01T18:00:00+99:99',
  ),
);

/** Anything JSON can say, with hostile text. */
export const anyJson = (maxDepth = 3): fc.Arbitrary<unknown> =>
  fc.jsonValue({ maxDepth, stringUnit: 'binary' });

/** Values a field could hold: plausible ones of its kind, and every wrong type. */
export function fieldValue(field: string, ids: Record<string, string[]>): fc.Arbitrary<unknown> {
  const plausible: fc.Arbitrary<unknown>[] = [];
  const known = Object.hasOwn(ids, field) ? ids[field] : undefined;
  if (known) plausible.push(fc.constantFrom(...known));
  if (/(_at|_start|_end|^from|^to)$/.test(field)) plausible.push(timestampText);
  if (/price|quantity|max_per_booking|limit/.test(field)) {
    plausible.push(fc.integer({ min: -2, max: 1_000_002 }), numbers);
  }
  if (field === 'currency') {
    plausible.push(fc.constantFrom('EUR', 'USD', 'JPY', 'XXX', 'XTS', 'eur', 'EU', 'EURO', 'ZZZ'));
  }
  if (field === 'status') {
    plausible.push(fc.constantFrom('draft', 'published', 'cancelled', 'confirmed', 'Draft', ''));
  }
  if (field === 'items' || field === 'ticket_types') {
    plausible.push(fc.array(nestedRecord(ids), { maxLength: 4 }));
  }
  plausible.push(anyText(80));

  return fc.oneof(
    { weight: 3, arbitrary: fc.oneof(...plausible) },
    { weight: 1, arbitrary: anyJson(2) },
    { weight: 1, arbitrary: numbers },
    { weight: 1, arbitrary: fc.constantFrom(null, true, false, '', ' ', [], {}, 'null', '1e3') },
  );
}

const NESTED_FIELDS = [
  'ticket_type_id',
  'quantity',
  'name',
  'description',
  'price',
  'max_per_booking',
  'sales_start',
  'sales_end',
];

/** An item of `items` or `ticket_types`: any subset of their fields, plausible or not. */
function nestedRecord(ids: Record<string, string[]>): fc.Arbitrary<unknown> {
  const leaf = (field: string) =>
    fc.oneof(
      { weight: 3, arbitrary: leafPlausible(field, ids) },
      { weight: 1, arbitrary: anyJson(1) },
    );
  return fc.record(Object.fromEntries(NESTED_FIELDS.map((field) => [field, leaf(field)])), {
    requiredKeys: [],
  });
}

function leafPlausible(field: string, ids: Record<string, string[]>): fc.Arbitrary<unknown> {
  const known = Object.hasOwn(ids, field) ? ids[field] : undefined;
  if (known) return fc.constantFrom(...known);
  if (/price|quantity|max_per_booking/.test(field)) return fc.integer({ min: -1, max: 1002 });
  if (/sales_/.test(field)) return fc.option(timestampText);
  return anyText(40);
}

/** Percent-encodes the UTF-8 bytes of any string (lone surrogates become U+FFFD). */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** A header value Node will put on the wire: tab, printable ASCII and Latin-1. */
export const headerValue = (maxLength: number) =>
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength,
  });
