import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../lib/config';

const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('starts with the two commands: start and test', () => {
    const firstBlock = readme.split('```')[1] ?? '';
    expect(firstBlock).toMatch(/npm ci && npm start/);
    expect(firstBlock).toMatch(/npm ci && npm test/);
  });

  it('documents every configuration variable with the text the code carries', () => {
    const rows = new Map(
      [...readme.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(.*?)\s*\|\s*$/gm)].map((m) => [m[1], m[2]]),
    );
    for (const [name, meaning] of Object.entries(CONFIG_VARIABLES)) expect(rows.get(name)).toBe(meaning);
  });

  it('documents no variable the code does not read', () => {
    const documented = [...readme.matchAll(/^\|\s*`([A-Z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(CONFIG_VARIABLES).sort());
  });
});
