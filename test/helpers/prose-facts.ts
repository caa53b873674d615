import path from 'node:path';
import ts from 'typescript';

/**
 * Finds code that learns a fact from the record's text instead of its fields, with the TypeScript
 * compiler's types:
 *
 * - `event-text`: reading `text` from a value typed as an event (an `InterviewEvent`, a
 *   `TranscriptEntry`, a `StoredEvent`, a report's event with its text, or one kind of them);
 * - `parsed-rendering`: parsing what the renderer wrote (`renderEvent`, `renderLine`, `renderActor`,
 *   a `rendererFor` renderer), directly or through a variable, an array of such texts, an element or
 *   a callback parameter: `.match`, `.startsWith`, `.split`, `.replace`, … or a RegExp method. Text
 *   passed to a function of the project is followed into it, where extracting a part is refused
 *   (`.match`, `.startsWith`, `.search`, a `.replace` whose replacer reads captured groups) and
 *   escaping, defanging or cutting it (what formatters do with any text) is not.
 *
 * The renderer itself and the reader of records stored before events were typed are exempt.
 */
export type Rule = 'event-text' | 'parsed-rendering';

export interface Finding {
  file: string;
  line: number;
  rule: Rule;
  code: string;
}

export const RENDERER = 'shared/record/render.ts';
const EXEMPT = new Set([RENDERER, 'shared/record/legacy.ts']);
const EVENTS = 'shared/record/events.ts';

const PARSERS = new Set([
  'match',
  'matchAll',
  'exec',
  'test',
  'startsWith',
  'endsWith',
  'includes',
  'indexOf',
  'lastIndexOf',
  'split',
  'search',
  'replace',
  'replaceAll',
]);
/** Methods whose result is still the rendered text (or a part of it). */
const KEEPS_TEXT = new Set([
  'join',
  'slice',
  'substring',
  'trim',
  'trimStart',
  'trimEnd',
  'toLowerCase',
  'toUpperCase',
  'normalize',
  'concat',
  'at',
  'filter',
]);
/** Array methods whose callback's first parameter is an element. */
const ELEMENT_CALLBACKS = new Set([
  'map',
  'flatMap',
  'forEach',
  'filter',
  'some',
  'every',
  'find',
  'findLast',
]);
const MAPPERS = new Set(['map', 'flatMap']);

/** The project's source files (tsconfig.json's), without tests and declarations. */
export function projectSourceFiles(root: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`cannot read ${root}/tsconfig.json`);
  return config.fileNames.filter((f) => {
    const rel = path.relative(root, f);
    return !rel.startsWith(`test${path.sep}`) && !rel.endsWith('.d.ts');
  });
}

/** A program over `files`, plus in-memory `virtual` sources (path → text) that may import real ones. */
export function createProgram(
  root: string,
  files: string[],
  virtual: Record<string, string> = {},
): ts.Program {
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const host = ts.createCompilerHost({ ...options, noEmit: true });
  const inMemory = new Map(Object.entries(virtual).map(([f, text]) => [path.resolve(root, f), text]));
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (file, language, ...rest) => {
    const text = inMemory.get(path.resolve(file));
    return text !== undefined
      ? ts.createSourceFile(file, text, language)
      : getSourceFile.call(host, file, language, ...rest);
  };
  host.fileExists = (file) => inMemory.has(path.resolve(file)) || fileExists.call(host, file);
  host.readFile = (file) => inMemory.get(path.resolve(file)) ?? readFile.call(host, file);
  return ts.createProgram({ rootNames: [...files, ...inMemory.keys()], options, host });
}

export function findProseFacts(
  program: ts.Program,
  root: string,
  files: string[],
  exempt: ReadonlySet<string> = EXEMPT,
): Finding[] {
  const checker = program.getTypeChecker();
  const kinds = eventKinds(program, checker, root);
  const rendering = renderedText(program, checker, root, files, exempt);
  const findings: Finding[] = [];
  for (const file of files) {
    const source = program.getSourceFile(path.resolve(root, file));
    if (!source) throw new Error(`${file} is not in the program`);
    const rel = path.relative(root, source.fileName).split(path.sep).join('/');
    if (exempt.has(rel)) continue;
    const report = (node: ts.Node, rule: Rule) =>
      findings.push({
        file: rel,
        line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
        rule,
        code: node.getText().slice(0, 120),
      });
    checkEventText(source, checker, kinds, report);
    rendering.check(source, report);
  }
  return findings;
}

/** The event kinds: the keys of `EventFields`. */
function eventKinds(program: ts.Program, checker: ts.TypeChecker, root: string): Set<string> {
  const source = program.getSourceFile(path.join(root, EVENTS));
  const fields =
    source && checker.getSymbolAtLocation(source)?.exports?.get(ts.escapeLeadingUnderscores('EventFields'));
  if (!fields) throw new Error(`${EVENTS} no longer exports EventFields: update ${__filename}`);
  return new Set(checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(fields)).map((p) => p.name));
}

/** An object with `at`, `actor` and a `kind` that is one or more event kinds, or a union with one. */
function isEventType(type: ts.Type, checker: ts.TypeChecker, kinds: Set<string>): boolean {
  const t = checker.getApparentType(checker.getBaseConstraintOfType(type) ?? type);
  if (t.isUnion()) return t.types.some((u) => isEventType(u, checker, kinds));
  const kind = checker.getPropertyOfType(t, 'kind');
  if (!kind || !checker.getPropertyOfType(t, 'actor') || !checker.getPropertyOfType(t, 'at')) return false;
  const kindType = checker.getNonNullableType(checker.getTypeOfSymbol(kind));
  const literals = kindType.isUnion() ? kindType.types : [kindType];
  return literals.every((l) => l.isStringLiteral() && kinds.has(l.value));
}

function checkEventText(
  source: ts.SourceFile,
  checker: ts.TypeChecker,
  kinds: Set<string>,
  report: (node: ts.Node, rule: Rule) => void,
): void {
  const isEvent = (node: ts.Node) => isEventType(checker.getTypeAtLocation(node), checker, kinds);
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'text' && isEvent(node.expression))
      report(node, 'event-text');
    if (
      ts.isElementAccessExpression(node) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      node.argumentExpression.text === 'text' &&
      isEvent(node.expression)
    )
      report(node, 'event-text');
    if (ts.isObjectBindingPattern(node) && isEvent(node))
      for (const element of node.elements) {
        const name = element.propertyName ?? element.name;
        if (ts.isIdentifier(name) && name.text === 'text') report(element, 'event-text');
      }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

/** A rendered text held where the rendering is seen (`direct`), or received as a parameter (`passed`). */
const enum Held {
  No = 0,
  Passed = 1,
  Direct = 2,
}
/**
 * What a function that receives text may not do with it: extract a part by pattern or by prefix. (It
 * may escape, defang or cut it, which is what formatters do with any text.)
 */
const EXTRACTORS = new Set(['match', 'matchAll', 'startsWith', 'endsWith', 'search']);

/** Follows rendered text through the given files, then reports where it is parsed. */
function renderedText(
  program: ts.Program,
  checker: ts.TypeChecker,
  root: string,
  files: string[],
  exempt: ReadonlySet<string>,
) {
  const renderer = path.join(root, RENDERER);
  const checked = new Set(
    files
      .map((f) => path.resolve(root, f))
      .filter((f) => !exempt.has(path.relative(root, f).split(path.sep).join('/'))),
  );
  const sources = [...checked].map((f) => program.getSourceFile(f)!);
  const resolved = (node: ts.Node) => {
    const symbol = checker.getSymbolAtLocation(node);
    return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  };
  const fromRenderer = (node: ts.Node): boolean =>
    Boolean(resolved(node)?.declarations?.some((d) => path.resolve(d.getSourceFile().fileName) === renderer));
  const calleeName = (call: ts.CallExpression) =>
    ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression;
  const held = new Map<ts.Symbol, Held>();

  /** Whether the expression is a rendered text, an array of them, or a part of one. */
  const level = (node: ts.Expression): Held => {
    if (
      ts.isParenthesizedExpression(node) ||
      ts.isAsExpression(node) ||
      ts.isNonNullExpression(node) ||
      ts.isAwaitExpression(node) ||
      ts.isSatisfiesExpression(node)
    )
      return level(node.expression);
    if (ts.isIdentifier(node)) {
      const symbol = checker.getSymbolAtLocation(node);
      return (symbol && held.get(symbol)) ?? Held.No;
    }
    if (ts.isCallExpression(node)) {
      if (fromRenderer(calleeName(node))) return Held.Direct;
      if (!ts.isPropertyAccessExpression(node.expression)) return Held.No;
      const method = node.expression.name.text;
      const fn = node.arguments[0];
      if (MAPPERS.has(method) && fn) {
        if (fromRenderer(fn)) return Held.Direct;
        const returned = returnLevel(fn);
        if (returned) return returned;
      }
      return KEEPS_TEXT.has(method) ? level(node.expression.expression) : Held.No;
    }
    if (ts.isElementAccessExpression(node)) return level(node.expression);
    if (ts.isTemplateExpression(node))
      return Math.max(Held.No, ...node.templateSpans.map((s) => level(s.expression)));
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
      return Math.max(level(node.left), level(node.right));
    if (ts.isConditionalExpression(node)) return Math.max(level(node.whenTrue), level(node.whenFalse));
    return Held.No;
  };
  const returnLevel = (fn: ts.Expression): Held => {
    if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return Held.No;
    if (!ts.isBlock(fn.body)) return level(fn.body);
    let found = Held.No;
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionLike(n)) return;
      if (ts.isReturnStatement(n) && n.expression) found = Math.max(found, level(n.expression));
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(fn.body, visit);
    return found;
  };

  // Mark the names that come to hold rendered text, across the files, until nothing changes.
  let changed = true;
  const hold = (name: ts.Node | undefined, how: Held) => {
    const symbol = name && ts.isIdentifier(name) ? checker.getSymbolAtLocation(name) : undefined;
    if (!symbol || how === Held.No || (held.get(symbol) ?? Held.No) >= how) return;
    held.set(symbol, how);
    changed = true;
  };
  /** The parameters of a function of the checked files that a call passes rendered text to. */
  const holdParameters = (call: ts.CallExpression) => {
    const declaration = resolved(calleeName(call))?.valueDeclaration;
    const fn = declaration && ts.isVariableDeclaration(declaration) ? declaration.initializer : declaration;
    if (!fn || !ts.isFunctionLike(fn) || !checked.has(path.resolve(fn.getSourceFile().fileName))) return;
    call.arguments.forEach((arg, i) => {
      if (level(arg)) hold(fn.parameters[i]?.name, Held.Passed);
    });
  };
  while (changed) {
    changed = false;
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && node.initializer) hold(node.name, level(node.initializer));
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken)
        hold(node.left, level(node.right));
      if (ts.isForOfStatement(node)) {
        const name = ts.isVariableDeclarationList(node.initializer)
          ? node.initializer.declarations[0]?.name
          : node.initializer;
        hold(name, level(node.expression));
      }
      if (ts.isCallExpression(node)) {
        holdParameters(node);
        const callee = node.expression;
        const fn = node.arguments[0];
        if (
          ts.isPropertyAccessExpression(callee) &&
          ELEMENT_CALLBACKS.has(callee.name.text) &&
          fn &&
          (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))
        )
          hold(fn.parameters[0]?.name, level(callee.expression));
      }
      ts.forEachChild(node, visit);
    };
    for (const source of sources) visit(source);
  }

  const isRegExp = (node: ts.Expression) => checker.getTypeAtLocation(node).getSymbol()?.name === 'RegExp';
  /** `.replace(pattern, (match, group, …) => …)`: the replacer reads a captured part. */
  const readsGroups = (call: ts.CallExpression) => {
    const fn = call.arguments[1];
    return Boolean(fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parameters.length > 1);
  };
  const parses = (call: ts.CallExpression): boolean => {
    if (!ts.isPropertyAccessExpression(call.expression)) return false;
    const method = call.expression.name.text;
    const receiver = level(call.expression.expression);
    if (receiver === Held.Direct && PARSERS.has(method)) return true;
    if (receiver === Held.Passed)
      return EXTRACTORS.has(method) || (method.startsWith('replace') && readsGroups(call));
    return isRegExp(call.expression.expression) && call.arguments.some((a) => level(a) === Held.Direct);
  };
  return {
    check(source: ts.SourceFile, report: (node: ts.Node, rule: Rule) => void): void {
      if (!checked.has(path.resolve(source.fileName))) return;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && parses(node)) report(node, 'parsed-rendering');
        ts.forEachChild(node, visit);
      };
      visit(source);
    },
  };
}
