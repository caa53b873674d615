import fs from 'node:fs';
import path from 'node:path';

const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('starts with the two commands: start and test', () => {
    const firstBlock = readme.split('```')[1] ?? '';
    expect(firstBlock).toMatch(/npm ci && npm start/);
    expect(firstBlock).toMatch(/npm ci && npm test/);
  });
});
