import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('docs/cli.md command reference', () => {
  it('matches the commands’ own --help (regenerate with node scripts/cli-reference.mjs)', () => {
    const result = spawnSync(process.execPath, ['scripts/cli-reference.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).to.equal(0);
  });

  it('gives every command an example and documents every exit code', () => {
    const doc = readFileSync(`${ROOT}docs/cli.md`, 'utf8');
    const sections = doc.split('\n### ').slice(1);
    expect(sections.length).to.be.greaterThan(20);
    for (const section of sections) {
      expect(section, section.split('\n')[0]).to.match(/Examples:\n {2}\$ .*evbook|Exit codes:/);
    }
    for (const code of [64, 65, 66, 67, 70, 75, 77, 78])
      expect(doc).to.match(new RegExp(`\\| ${code} \\|`));
  });
});
