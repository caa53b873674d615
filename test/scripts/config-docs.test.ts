import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SECRET_FILE_VARIABLES, declarations, rawDefault } from '../../lib/config';
import {
  END_MARKER,
  README_PATH,
  START_MARKER,
  configSection,
  defaultCell,
  withConfigSection,
} from '../../scripts/config-docs';

/** The README's configuration table and .env.example, checked against the declarations in lib/config.ts. */

const ROOT = path.join(__dirname, '../..');
const readme = fs.readFileSync(README_PATH, 'utf8');
const envExample = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const compose = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const declared = (name: string) => Object.hasOwn(declarations, name);
const declaration = (name: string) => declarations[name as keyof typeof declarations];

/** The table's rows between the markers: variable → its default and meaning cells. */
function documentedRows(text: string): Map<string, { default: string; meaning: string }> {
  const section = text.slice(text.indexOf(START_MARKER), text.indexOf(END_MARKER));
  const rows = new Map<string, { default: string; meaning: string }>();
  for (const m of section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|(.*)\|\s*$/gm)) {
    const [defaultText = '', meaning = ''] = (m[2] ?? '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, '|'));
    rows.set(m[1] ?? '', { default: defaultText, meaning });
  }
  return rows;
}

/** Where the README's table and the declarations disagree; empty when they agree. */
function tableProblems(text: string): string[] {
  const problems: string[] = [];
  const rows = documentedRows(text);
  for (const [name, d] of Object.entries(declarations)) {
    const row = rows.get(name);
    if (!row) {
      problems.push(`${name} is declared in lib/config.ts but missing from the README table`);
      continue;
    }
    if (row.default !== defaultCell(d))
      problems.push(
        `${name}: the README gives the default "${row.default}", lib/config.ts "${defaultCell(d)}"`,
      );
    if (row.meaning !== d.doc) problems.push(`${name}: the README's meaning differs from lib/config.ts`);
  }
  for (const name of rows.keys())
    if (!declared(name)) problems.push(`${name} is in the README table but lib/config.ts does not read it`);
  const secretsSentence = /Each secret \(([^)]*)\)/.exec(text)?.[1] ?? '';
  const listed = [...secretsSentence.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]);
  if (listed.sort().join() !== [...SECRET_FILE_VARIABLES].sort().join())
    problems.push(`the README's list of secrets is not ${SECRET_FILE_VARIABLES.join(', ')}`);
  return problems;
}

/** Where .env.example and the declarations disagree; docker-compose.yml's own settings are allowed. */
function envExampleProblems(text: string): string[] {
  const composeSettings = new Set([...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
  const problems: string[] = [];
  for (const m of text.matchAll(/^(?:#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/gm)) {
    const [, name = '', value = ''] = m;
    if (!declared(name)) {
      if (!composeSettings.has(name))
        problems.push(
          `.env.example: ${name} is neither declared in lib/config.ts nor used by docker-compose.yml`,
        );
      continue;
    }
    const d = declaration(name);
    const fallback = rawDefault(d);
    if (fallback && value !== fallback)
      problems.push(`.env.example: ${name}=${value}, but its default is ${fallback}`);
    // Secrets are placeholders there, never usable values.
    else if (!d.secret && !d.schema.safeParse(value).success)
      problems.push(`.env.example: ${name}=${value} is not a valid value`);
  }
  return problems;
}

describe('README configuration table', () => {
  it('documents every declared variable with its default and meaning, every secret, and nothing else', () => {
    expect(documentedRows(readme).size).toBeGreaterThan(30);
    expect(tableProblems(readme)).toEqual([]);
  });

  it('is exactly what `npm run docs:config` writes', () => {
    expect(withConfigSection(readme, configSection())).toBe(readme);
  });

  it('catches a README that drifted from the declarations', () => {
    const drifted = readme
      .replace(/^\| `BOT_PORT` .*\n/m, '')
      .replace(/^(\| `LOG_LEVEL`\s*\| )`info`/m, '$1`debug`')
      .replace(/^(\| `VOUCH_LINK_HOSTS`\s*\|[^|]*\| )Comma/m, '$1A list')
      .replace(/^(\| `NODE_ENV` .*\n)/m, '$1| `VOUCH_RETIRED` | none | Gone. |\n')
      .replace(/`VOUCH_CODEC_TOKEN`,\s/, '');
    expect(tableProblems(drifted)).toEqual([
      'BOT_PORT is declared in lib/config.ts but missing from the README table',
      `VOUCH_LINK_HOSTS: the README's meaning differs from lib/config.ts`,
      'LOG_LEVEL: the README gives the default "`debug`", lib/config.ts "`info`"',
      'VOUCH_RETIRED is in the README table but lib/config.ts does not read it',
      expect.stringMatching(/^the README's list of secrets is not /),
    ]);
  });

  it('`npm run docs:config` fills the table in between the markers', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-config-docs-'));
    try {
      const file = path.join(dir, 'README.md');
      const emptied = withConfigSection(readme, 'the table goes here');
      fs.writeFileSync(file, emptied);
      const run = () =>
        spawnSync(process.execPath, ['--import', 'tsx', 'scripts/config-docs.ts', file], {
          cwd: ROOT,
          encoding: 'utf8',
        });
      expect(run().stdout).toMatch(/configuration table rewritten/);
      expect(fs.readFileSync(file, 'utf8')).toBe(readme);
      expect(run().stdout).toMatch(/up to date/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a README without the markers, saying where they go', () => {
    expect(() => withConfigSection('# Vouch\n', 'table')).toThrow(
      /README\.md lacks the markers of the configuration table: put "<!-- config-table:start/,
    );
    expect(withConfigSection(`a\n${START_MARKER}\nold\n${END_MARKER}\nb`, 'new')).toBe(
      `a\n${START_MARKER}\n\nnew\n\n${END_MARKER}\nb`,
    );
  });
});

describe('.env.example', () => {
  it('lists only declared variables (or docker-compose.yml settings), with their defaults and valid examples', () => {
    expect(envExampleProblems(envExample)).toEqual([]);
  });

  it('catches an undeclared variable, a wrong default and an invalid example', () => {
    expect(
      envExampleProblems(
        '# VOUCH_TYPO=1\n# BOT_PORT=3001\n# VOUCH_SECURITY_CHANNEL=general\n# TEMPORAL_PUBLISH_IP=0.0.0.0\n',
      ),
    ).toEqual([
      '.env.example: VOUCH_TYPO is neither declared in lib/config.ts nor used by docker-compose.yml',
      '.env.example: BOT_PORT=3001, but its default is 3000',
      '.env.example: VOUCH_SECURITY_CHANNEL=general is not a valid value',
    ]);
  });
});
