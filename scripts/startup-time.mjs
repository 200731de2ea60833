#!/usr/bin/env node
// Start-up cost of `evbook --help` against bare `node -e 0` (and commander alone), in the same run:
// 20 alternating runs each (after 3 warm-ups), wall time around spawnSync.
//   node scripts/startup-time.mjs [runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const BIN = fileURLToPath(new URL('../bin/evbook', import.meta.url));
const runs = Number(process.argv[2] ?? 20);
const subjects = {
  'node -e 0': ['-e', '0'],
  'node (import commander)': ['--input-type=module', '-e', "import 'commander'"],
  'node bin/evbook --help': [BIN, '--help'],
};

function time(args) {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  return performance.now() - start;
}

for (const args of Object.values(subjects)) for (let i = 0; i < 3; i++) time(args);
const samples = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(subjects)) samples[name].push(time(args));
}

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { mean, sd, min: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
};
for (const [name, values] of Object.entries(samples)) {
  const s = stats(values);
  console.log(
    `${name.padEnd(24)} mean ${s.mean.toFixed(1)} ms ± ${s.sd.toFixed(1)}  median ${s.median.toFixed(1)}  min ${s.min.toFixed(1)}  (${runs} runs)`,
  );
}
