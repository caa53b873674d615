import fs from 'node:fs';
import path from 'node:path';

/**
 * The README's Architecture section is the map a newcomer follows to find code; a map naming a moved or
 * deleted file, or silent about a whole folder, sends them the wrong way. These checks keep it true.
 */

const root = path.join(__dirname, '../..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

// Folders that are not source a newcomer changes: dependencies, build output, and the tests themselves
// (the section describes tests by rule, test/<folder>/ for <folder>/).
const notSource = new Set(['node_modules', 'dist', 'coverage', 'data', 'secrets', 'test']);

function architectureSection(text: string): string {
  const start = text.indexOf('\n## Architecture\n');
  if (start < 0)
    throw new Error(
      'README.md has no "## Architecture" section; keep that heading, other sections link to it',
    );
  const rest = text.slice(start + 1);
  const next = rest.indexOf('\n## ', 1);
  return next < 0 ? rest : rest.slice(0, next);
}

function mermaidBlock(section: string): string | undefined {
  return /```mermaid\n([\s\S]*?)```/.exec(section)?.[1];
}

/** Backticked tokens outside the diagram that look like repo paths (not commands or placeholders). */
function namedPaths(section: string): string[] {
  const prose = section.replace(/```mermaid\n[\s\S]*?```/, '');
  return [...prose.matchAll(/`([^`]+)`/g)]
    .map((m) => m[1]!)
    .filter((token) => !/[\s<>*]/.test(token) && !token.startsWith('/'))
    .filter((token) => token.includes('/') || /\.[a-z]+$/i.test(token) || token === 'Dockerfile');
}

function missingPaths(paths: string[]): string[] {
  return paths.filter((p) => !fs.existsSync(path.join(root, p)));
}

function holdsTypeScript(dir: string): boolean {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .some((entry) =>
      entry.isDirectory() ? holdsTypeScript(path.join(dir, entry.name)) : entry.name.endsWith('.ts'),
    );
}

function sourceFolders(): string[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !notSource.has(e.name))
    .filter((e) => holdsTypeScript(path.join(root, e.name)))
    .map((e) => e.name);
}

function unnamedFolders(section: string, folders: string[]): string[] {
  return folders.filter((folder) => !section.includes(`${folder}/`));
}

describe('README Architecture section', () => {
  const section = architectureSection(readme);

  it('has one Mermaid diagram of an alert’s path', () => {
    const diagram = mermaidBlock(section);
    expect(diagram).toBeDefined();
    expect(diagram).toMatch(/^flowchart (LR|TD|TB)/);
    expect(diagram).toContain('alertInterview');
  });

  it('names only paths that exist in the repo', () => {
    const paths = namedPaths(section);
    expect(paths.length).toBeGreaterThan(40);
    expect(missingPaths(paths)).toEqual([]);
  });

  it('names every top-level source folder', () => {
    const folders = sourceFolders();
    expect(folders).toEqual(expect.arrayContaining(['workflows', 'activities', 'bot', 'store', 'shared']));
    expect(unnamedFolders(section, folders)).toEqual([]);
  });

  it('catches a made-up path, a missing diagram and an unnamed folder', () => {
    const broken = section
      .replace('`workflows/asking.ts`', '`workflows/no-such-step.ts`')
      .replace(/```mermaid\n[\s\S]*?```/, '')
      .replaceAll('codec-server/', 'codec server');
    expect(missingPaths(namedPaths(broken))).toEqual(['workflows/no-such-step.ts']);
    expect(mermaidBlock(broken)).toBeUndefined();
    expect(unnamedFolders(broken, sourceFolders())).toEqual(['codec-server']);
  });
});
