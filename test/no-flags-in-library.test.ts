/**
 * The library names fields, never CLI flags (DESIGN.md: "Library code names fields; the CLI and
 * the server map fields to flags and JSON paths"). A static scan: every string literal and
 * template literal in adapters/ and src/ (except src/cli/, whose vocabulary flags are) is parsed
 * out of the source with Babel's TypeScript parser — comments do not count, doc comments may say
 * `--interval` — and must not hold a flag (`--interval`, or `--${name}` built at run time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';

const root = path.resolve(import.meta.dirname, '..');

/** The one call we need from @babel/core (a devDependency, used by dependency-cruiser too). */
interface BabelNode {
  type: string;
  loc?: { start: { line: number } };
  value?: unknown;
  quasis?: { value: { cooked?: string | null; raw: string } }[];
  [key: string]: unknown;
}
const babel = createRequire(import.meta.url)('@babel/core') as {
  parseSync(code: string, options: Record<string, unknown>): { program: BabelNode } | null;
};

/**
 * String literals that may name a flag, each with why. An entry that no longer matches any
 * literal fails the test: remove it when its string is gone.
 */
const ALLOWED: { file: string; text: string; why: string }[] = [
  {
    file: 'src/jobs/router.ts',
    text: 'start it with `mixcast serve --models DIR` (embedded jobs) or `--redis URL`',
    why: 'HTTP answer telling the client how the operator starts a server with batch jobs: it names the serve command, not a library field',
  },
  {
    file: 'src/server/schemas.ts',
    text: 'model id (a subdirectory of --models)',
    why: "the OpenAPI description of `model`: model ids are the folders of the operator's `mixcast serve --models`",
  },
];

/** What a template literal's placeholders become in the scanned text. */
const HOLE = '{…}';
/** A flag in text: `--name` not inside a longer word or dash run, or `--` before a placeholder (`--${field}`). */
const FLAG = /(?<![\w-])--(?:[a-z][a-z0-9-]*|\{…\})/;

function* sourceFiles(dir: string): Generator<string> {
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) {
      if (rel === 'src/cli' || e.name === 'node_modules' || e.name === 'dist') continue;
      yield* sourceFiles(rel);
    } else if (/\.(ts|mts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) yield rel;
  }
}

/** Every string and template literal of a file (relative to the repository): its line and text (HOLE for each placeholder). */
function literals(file: string): { line: number; text: string }[] {
  const ast = babel.parseSync(fs.readFileSync(path.resolve(root, file), 'utf8'), {
    filename: file,
    babelrc: false,
    configFile: false,
    parserOpts: { plugins: ['typescript'], sourceType: 'module' },
  });
  assert.ok(ast, `${file}: could not be parsed`);
  const out: { line: number; text: string }[] = [];
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    const node = n as BabelNode;
    const line = node.loc?.start.line ?? 0;
    if (node.type === 'StringLiteral' && typeof node.value === 'string') out.push({ line, text: node.value });
    else if (node.type === 'TemplateLiteral' && node.quasis) out.push({ line, text: node.quasis.map((q) => q.value.cooked ?? q.value.raw).join(HOLE) });
    for (const [k, v] of Object.entries(node)) {
      if (k === 'loc' || k.endsWith('Comments') || !v || typeof v !== 'object') continue;
      walk(v);
    }
  };
  walk(ast.program);
  return out;
}

test('the scanner: flags in string and template literals count, flags in comments do not', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-flags-'));
  try {
    const file = path.join(dir, 'probe.ts');
    fs.writeFileSync(
      file,
      [
        '/** Set with `--interval` (a doc comment). */',
        '// pass --duplicates sum (a line comment)',
        "export const a: string = 'use --series-col';",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the probe's source holds a template literal with a placeholder
        'export const b = (f: string) => `--${f}: unknown weekday`;',
        "export const c = 'x--y a---b |---| -- end';",
        'export const d = `name it with \\`timeCol\\``;',
      ].join('\n'),
    );
    const hits = literals(file).filter((l) => FLAG.test(l.text)).map((l) => l.line);
    assert.deepEqual(hits, [3, 4]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('no library module (adapters/, src/ but src/cli/) holds a CLI flag in a string literal', () => {
  const found: string[] = [];
  const used = new Set<number>();
  for (const file of [...sourceFiles('adapters'), ...sourceFiles('src')]) {
    for (const l of literals(file)) {
      if (!FLAG.test(l.text)) continue;
      const allowed = ALLOWED.findIndex((a) => a.file === file && l.text.includes(a.text));
      if (allowed >= 0) used.add(allowed);
      else found.push(`${file}:${l.line}: ${l.text.slice(0, 160)}`);
    }
  }
  assert.deepEqual(found, [], `library strings naming CLI flags — name the field in backticks instead (\`interval\`; src/core/fields.ts):\n${found.join('\n')}`);
  const stale = ALLOWED.filter((_, i) => !used.has(i)).map((a) => `${a.file}: ${a.text}`);
  assert.deepEqual(stale, [], 'allow-list entries that match no string any more: remove them');
});
