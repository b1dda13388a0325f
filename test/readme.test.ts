/**
 * The README's commands, taken from README.md itself and run in order in a scratch folder, as a
 * new user would from a fresh clone: every ```sh block, one command at a time (`\` continuations
 * and heredocs kept together). Left out: `npm …` (the quick start; CI runs it), `mixcast serve`
 * and `curl` (the HTTP API has its own tests). To keep the run short, `--steps` is set to 20 on
 * train/evaluate `--count` capped at 50 and evaluate
 * runs one fold of 5 days; nothing else changes, so a command that reads a file
 * no earlier command wrote fails here.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mixcast-readme-'));

/** Every shell command of the README's ```sh blocks, in order. */
export function readmeCommands(markdown: string): string[] {
  const cmds: string[] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1].split('\n');
    for (let i = 0; i < lines.length; i++) {
      let cmd = lines[i];
      if (cmd.trim() === '' || cmd.trim().startsWith('#')) continue;
      while (cmd.endsWith('\\') && i + 1 < lines.length) cmd = `${cmd.slice(0, -1)} ${lines[++i].trim()}`;
      const heredoc = /<<'?(\w+)'?/.exec(cmd);
      if (heredoc) {
        while (i + 1 < lines.length && lines[i] !== heredoc[1]) cmd += `\n${lines[++i]}`;
      }
      cmds.push(cmd);
    }
  }
  return cmds;
}

const skipped = (cmd: string) => /^npm /.test(cmd) || /^curl /.test(cmd) || /mixcast serve\b/.test(cmd);

/** Shorter runs: 20 training steps, at most 50 scenarios; the chain of files is unchanged. */
function shorten(cmd: string): string {
  let c = cmd.replace(/--count (\d+)/g, (_, n) => `--count ${Math.min(Number(n), 50)}`).replace(/--folds \d+/, '--folds 1').replace(/--horizon \d+/, '--horizon 5');
  if (/mixcast (train|evaluate)\b/.test(c)) c = /--steps \d+/.test(c) ? c.replace(/--steps \d+/, '--steps 20') : c.replace(/mixcast (train|evaluate)/, 'mixcast $1 --steps 20');
  return c;
}

before(() => {
  // a fresh clone's layout: the bundled fixtures and the installed node_modules; `npx mixcast`
  // runs the CLI from the sources (tests run TypeScript through tsx)
  fs.symlinkSync(path.join(ROOT, 'fixtures'), path.join(work, 'fixtures'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));
  const bin = path.join(work, '.bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'npx'),
    `#!/bin/sh\nif [ "$1" = mixcast ]; then shift; exec "${process.execPath}" --import tsx "${path.join(ROOT, 'src', 'cli', 'main.ts')}" "$@"; fi\necho "npx $1: not part of the README test" >&2; exit 127\n`,
    { mode: 0o755 },
  );
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('README commands', () => {
  const commands = readmeCommands(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

  it('include the chain from training to staffing simulation', () => {
    const run = commands.filter((c) => !skipped(c)).join('\n');
    for (const step of ['mixcast ingest', 'mixcast train', 'mixcast generate', 'mixcast forecast', '--observed out/morning.csv', 'mixcast whatif', 'staff plan', 'staff simulate --plan out/plan.csv', 'mixcast evaluate']) {
      assert.ok(run.includes(step), `the README no longer runs ${step}`);
    }
  });

  it('run in order, each reading only what an earlier one wrote', () => {
    const env = { ...process.env, PATH: `${path.join(work, '.bin')}:${process.env.PATH}`, MIXCAST_BACKEND: 'wasm' };
    for (const cmd of commands) {
      if (skipped(cmd)) continue;
      const c = shorten(cmd);
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', c], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
      assert.equal(r.status, 0, `README command failed (exit ${r.status}):\n${c}\n${r.stderr.slice(-3000)}`);
    }
    // the files the chain promises
    for (const f of ['out/days.csv', 'out/bank-model/manifest.json', 'out/train-summary.json', 'out/scenarios.csv', 'out/forecast.csv', 'out/plan.csv', 'out/eval/report.md']) {
      assert.ok(fs.existsSync(path.join(work, f)), `${f} was not written`);
    }
    const plan = fs.readFileSync(path.join(work, 'out/plan.csv'), 'utf8').split('\n')[0].split(',');
    assert.equal(plan[1], 'agents');
  });
});
