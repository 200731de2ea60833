/**
 * oidc-provider prints "Unsupported runtime" on import under Node 20, on stderr,
 * outside our logger. Every suite passes on Node 20 (STACK.md §1); the line would
 * only break the promise of one-line errors from `evbook serve`. This drops that one
 * message and nothing else; it must be imported before 'oidc-provider'.
 *
 * TODO(node22): delete this module when the project moves to Node 22.
 */
const NOTICE = 'oidc-provider WARNING: Unsupported runtime';

// eslint-disable-next-line no-console -- the library writes to console.warn; we filter it
const warn = console.warn.bind(console);
// eslint-disable-next-line no-console -- see above
console.warn = (...args: unknown[]) => {
  const [first] = args;
  // The library colours the line on a terminal: compare without its escape codes.
  // eslint-disable-next-line no-control-regex
  const text = typeof first === 'string' ? first.replace(/\x1b\[[0-9;]*m/g, '') : '';
  if (text.startsWith(NOTICE)) return;
  warn(...args);
};
