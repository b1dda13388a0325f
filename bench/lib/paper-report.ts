/** Builds bench/results/paper.json, paper.md and the SVG line charts from the job shards. */
import path from 'node:path';
import { writeFileAtomic } from '../../src/core/io.js';
import { lineChartSvg } from '../../src/eval/charts.js';
import { fmt, mdTable, pct } from '../../src/eval/report.js';
import type { MethodSummary } from '../../src/eval/backtest.js';
import { defaultFitOptions } from '../../src/train/fit.js';
import { DATASETS, RESULTS, mean, sd } from './common.js';
import { MIXTURE, type SyntheticRun } from './synthetic.js';
import type { CallsRun, CurvePoint } from './calls.js';
import { DEFAULT_ID, SKIP_ID, callsConfigs, isPaperSetting, type Defaults, type PaperFlags } from './jobs.js';

type Shards = Record<string, { job: string; runs: Record<string, unknown> }>;
type DatasetId = 'bank' | 'anon';
type BaselineRef = { bootstrap: Omit<CurvePoint, 'step'>; gaussian: Omit<CurvePoint, 'step'> };
type ExtraRow = { name: string; summary: MethodSummary; folds: { fits: { method: string; seconds: number; stepsPerSec: number }[] }[] };
type QualityShard = {
  defaults: Defaults;
  horizon: number;
  dir: string;
  summary: MethodSummary[];
  extra?: ExtraRow[];
  folds: { fold: number; cutoff: string; trainDays: number; fits: { method: string; seconds: number; stepsPerSec: number }[] }[];
  timings: unknown;
};

export const FALLBACK_DEFAULTS: Defaults = {
  prior: defaultFitOptions.prior,
  condition: defaultFitOptions.condition,
  skip: defaultFitOptions.skip,
  steps: defaultFitOptions.steps,
  sampler: defaultFitOptions.sampler,
  hidden: 128,
  blocks: 3,
};

/** Section-2 runs of a dataset (every `calls-<d>-<part>` shard merged), in the sweep's order. */
function callsRuns(shards: Shards, d: DatasetId, flags: PaperFlags): CallsRun[] {
  const runs: CallsRun[] = [];
  for (const [job, s] of Object.entries(shards)) {
    if (!job.startsWith(`calls-${d}-`)) continue;
    for (const [id, r] of Object.entries(s.runs)) if (id !== 'baselines') runs.push(r as CallsRun);
  }
  const order = callsConfigs(d, flags).map((c) => c.id);
  const pos = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return runs.sort((a, b) => pos(a.config.id) - pos(b.config.id));
}

function baselines(shards: Shards, d: DatasetId): BaselineRef | undefined {
  for (const [job, s] of Object.entries(shards)) {
    if (job.startsWith(`calls-${d}-`) && s.runs.baselines) return s.runs.baselines as BaselineRef;
  }
  return undefined;
}

function jobRuns(shards: Shards, job: string): CallsRun[] {
  const s = shards[job];
  if (!s) return [];
  return Object.entries(s.runs)
    .filter(([id]) => id !== 'baselines')
    .map(([, r]) => r as CallsRun);
}

const last = (r: CallsRun) => r.curve[r.curve.length - 1];
const at = (r: CallsRun, step: number) => r.curve.find((p) => p.step === step);
const byId = (runs: CallsRun[], id: string) => runs.find((r) => r.config.id === id);

/** Human label of a run id (`weekday|label|cov` → `weekday + label, skip cov`). */
export function label(id: string): string {
  const parts = id.split('|');
  const prior = parts[0];
  let i = 1;
  const withLabel = parts[i] === 'label';
  if (withLabel) i++;
  const skip = parts[i++] ?? '?';
  const rest = parts.slice(i).map((x) => (x === 'random-centers' ? ' (random centers)' : x === 'shift' ? ' (centers shifted 1 sd)' : x === 'hidden256' ? ' (hidden 256)' : ` (${x})`));
  const head = prior === 'control' ? 'control: centers 0 + weekday label' : `${prior}${withLabel ? ' + label' : ''}`;
  return `${head}, skip ${skip}${rest.join('')}`;
}

const setting = (id: string) => (id === DEFAULT_ID ? 'default' : isPaperSetting(id) ? 'paper' : id === 'none|none' ? 'DDPM' : '');

/**
 * The defaults rule (selection window only, never the test window). Candidates: every section-2
 * configuration present on every dataset (prior × label × skip mode; not the control, which
 * fitModel cannot build, and no mis-specification). Score of (configuration, checkpoint): the
 * relative score ½(ES/ES_ddpm + CRPS/CRPS_ddpm), `ddpm` = prior none, skip none at its last
 * checkpoint, averaged over datasets. The configuration with the lowest best value wins (prior,
 * condition, skip); its steps are the first checkpoint within 1 % of that configuration's best.
 * Sampler: among those scored for the winner (or, if it has none, for the shipped default
 * configuration) at the scored checkpoint nearest to the chosen steps — ddim:50 unless another
 * 50-step sampler is at least 1 % better, ddpm-1000 only if more than 2 % better than the best
 * 50-step one (the latency target).
 */
export function chooseDefaults(shards: Shards, datasets: DatasetId[], flags: PaperFlags): { defaults: Defaults; evidence: string[] } | null {
  const per = datasets.map((d) => callsRuns(shards, d, flags));
  if (per.some((runs) => runs.length === 0)) return null;
  const ddpm = per.map((runs) => byId(runs, 'none|none'));
  if (ddpm.some((r) => !r)) return null;
  const ids = per[0].map((r) => r.config.id).filter((id) => !id.startsWith('control|') && per.every((runs) => byId(runs, id)));
  const rel = (i: number, p: { energy: number; crps: number }) => 0.5 * (p.energy / last(ddpm[i]!).energy + p.crps / last(ddpm[i]!).crps);
  const relAt = (id: string, step: number): number | null => {
    const v = per.map((runs, i) => {
      const p = at(byId(runs, id)!, step);
      return p ? rel(i, p) : null;
    });
    return v.some((x) => x === null) ? null : mean(v as number[]);
  };
  const best = ids.map((id) => {
    const steps = byId(per[0], id)!.curve.map((p) => p.step);
    const scored = steps.map((s) => ({ s, v: relAt(id, s) })).filter((x): x is { s: number; v: number } => x.v !== null);
    const min = Math.min(...scored.map((x) => x.v));
    const pick = scored.find((x) => x.v <= 1.01 * min)!;
    return { id, rel: min, steps: pick.s, relAtSteps: pick.v, lastRel: scored[scored.length - 1].v, first: scored[0] };
  });
  best.sort((a, b) => a.rel - b.rel);
  const win = best[0];
  const cfg = byId(per[0], win.id)!.config;
  const samplerRunId = per.every((runs) => byId(runs, win.id)?.samplers.length) ? win.id : DEFAULT_ID;
  const wk = per.map((runs) => byId(runs, samplerRunId));
  let sampler = cfg.sampler;
  const samplerEvidence: string[] = [];
  if (wk.every((r) => r?.samplers.length)) {
    const scoredSteps = [...new Set(wk[0]!.samplers.map((s) => s.step))].sort((a, b) => a - b);
    const step = scoredSteps.reduce((b, s) => (Math.abs(s - win.steps) < Math.abs(b - win.steps) ? s : b), scoredSteps[scoredSteps.length - 1]);
    const ref = wk[0]!.config.sampler;
    const cands = [ref, ...wk[0]!.samplers.filter((s) => s.step === step).map((s) => s.sampler)];
    const score = (s: string) =>
      mean(
        wk.map((r) => {
          const base = at(r!, step)!;
          const p = s === ref ? base : r!.samplers.find((x) => x.sampler === s && x.step === step)!;
          return 0.5 * (p.energy / base.energy + p.crps / base.crps);
        }),
      );
    const scored = cands.map((s) => ({ s, v: score(s) })).sort((a, b) => a.v - b.v);
    // ddim:50 (one network call per step) unless another 50-step sampler is ≥ 1 % better
    // (ode:50 costs two calls per step), or ddpm-1000 is > 2 % better than the best 50-step one.
    const fifty = scored.filter((x) => /:50(:|$)/.test(x.s));
    const ddim = fifty.find((x) => x.s === 'ddim:50');
    const bestFifty = ddim && fifty[0] && fifty[0].v > 0.99 * ddim.v ? ddim : fifty[0];
    const ddpmS = scored.find((x) => x.s === 'ddpm');
    sampler = bestFifty?.s ?? 'ddim:50';
    if (ddpmS && ddpmS.v < 0.98 * (bestFifty?.v ?? Infinity)) sampler = 'ddpm';
    samplerEvidence.push(
      `sampler: scores of ${label(samplerRunId)} at step ${step} (the scored checkpoint nearest to ${win.steps}; ½(ES+CRPS) relative to ${ref}, mean over datasets): ${scored.map((x) => `${x.s} ${x.v.toFixed(3)}`).join(', ')} → ${sampler}`,
    );
  }
  return {
    defaults: { prior: cfg.prior, condition: cfg.condition, skip: cfg.skip, steps: win.steps, sampler, hidden: flags.hidden, blocks: flags.blocks },
    evidence: [
      `candidates: ${ids.length} configurations (prior × label × skip mode) scored on both datasets' selection windows at every checkpoint; relative score ½(ES/ES_ddpm + CRPS/CRPS_ddpm) with ddpm = prior none, skip none at its last checkpoint (= 1), mean over ${datasets.join(' and ')}; lower is better`,
      `best value of each configuration (@ the first checkpoint within 1 % of its best; value at the first checkpoint ${best[0].first.s}; value at the last checkpoint): ` +
        best.map((x) => `${label(x.id)} ${x.rel.toFixed(3)} @${x.steps} (@${x.first.s}: ${x.first.v.toFixed(3)}; last ${x.lastRel.toFixed(3)})`).join('; '),
      `winner: ${label(win.id)}; steps = its first checkpoint within 1 % of its best = ${win.steps}`,
      `near ties (best value within 1 % of the winner's, i.e. not separated by this single-seed selection): ${
        best
          .slice(1)
          .filter((x) => x.rel <= 1.01 * win.rel)
          .map((x) => `${label(x.id)} ${x.rel.toFixed(3)} @${x.steps}`)
          .join('; ') || 'none'
      }`,
      ...samplerEvidence,
    ],
  };
}

/** Smallest checkpoint where a run's score is ≤ the reference value (null: never). */
function stepsToReach(r: CallsRun, key: 'energy' | 'crps', target: number): number | null {
  return r.curve.find((p) => p[key] <= target)?.step ?? null;
}

function syntheticTable(runs: SyntheticRun[]) {
  const groups = new Map<string, SyntheticRun[]>();
  for (const r of runs) {
    const k = `${r.config.family}|${r.config.prior}|${r.config.skip ?? 'none'}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: { family: string; prior: string; skip: string; seeds: number; steps: { step: number; mean: number; sd: number; min: number; max: number }[]; floor: number; effort: SyntheticRun['effort']; stepsPerSec: number }[] = [];
  for (const [k, rs] of groups) {
    const [family, prior, skip] = k.split('|');
    const steps = rs[0].curve.map((p) => p.step);
    out.push({
      family,
      prior,
      skip,
      seeds: rs.length,
      steps: steps.map((s) => {
        const v = rs.map((r) => r.curve.find((p) => p.step === s)!.w1);
        return { step: s, mean: mean(v), sd: sd(v), min: Math.min(...v), max: Math.max(...v) };
      }),
      floor: mean(rs.map((r) => r.floor)),
      effort: rs[0].effort,
      stepsPerSec: mean(rs.map((r) => r.stepsPerSec)),
    });
  }
  const rank = (g: { family: string; prior: string; skip: string }) => `${g.family}|${g.prior === 'none' ? 0 : 1}|${['none', 'identity', 'covariance'].indexOf(g.skip)}`;
  return out.sort((a, b) => rank(a).localeCompare(rank(b)));
}

export async function buildReport(shards: Shards, flags: PaperFlags & { datasets: DatasetId[] }, env: unknown, defaultsInfo: { defaults: Defaults; evidence: string[]; source: string } | null): Promise<string[]> {
  const written: string[] = [];
  const charts: string[] = [];
  const md: string[] = [];
  const put = (name: string, text: string) => {
    writeFileAtomic(path.join(RESULTS, name), text);
    written.push(path.join(RESULTS, name));
  };
  const chart = async (name: string, svg: Promise<string>) => {
    put(name, await svg);
    charts.push(name);
    return name;
  };
  md.push('# mixcast paper benchmark\n');
  md.push(
    `Reproduce with \`npm run bench:paper${flags.quick ? ' -- --quick' : ''}\` (seed ${flags.seed}; sections selectable with \`--only synthetic,calls,misspec,quality\`). ` +
      `Machine: ${JSON.stringify(env)}; other processes shared the 2 cores during the run, so the train steps/s columns are indicative only (see speed.json for clean timings). Every run is a single training run with checkpoints: the score at step s is the EMA network after s steps of a run whose learning-rate schedule spans the run's last checkpoint (warm-up 100 steps, cosine decay to 5 %; EMA decay min(0.995, (1+s)/(10+s))).\n`,
  );
  md.push(
    '**Skip modes.** Every configuration states its Gaussian skip: `none` = plain ε-prediction (the network starts from nothing, as in the paper); `identity` = the network predicts the residual from the exact ε of data distributed N(c_k, I) around the day\'s component center; ' +
      '`cov` (covariance) = the same with Σ the pooled within-component covariance of the training days (shrunk toward its diagonal). With a skip, the model at step 0 already is the structured prior (one Gaussian per component), up to the small random output layer. ' +
      '"+ label" = the network also gets the component label (condition component). **default** marks the configuration the library ships (weekday + label, skip covariance); **paper** marks the paper\'s setting (mixture prior alone: no label, skip none); DDPM = prior none, skip none.\n',
  );

  // ───────────── 1. synthetic
  const synth = Object.entries(shards)
    .filter(([job]) => job.startsWith('synthetic-'))
    .flatMap(([, s]) => Object.values(s.runs) as SyntheticRun[]);
  const synthTable = syntheticTable(synth);
  if (synth.length) {
    const c = synth[0].config;
    md.push('## 1. 1-D bimodal Gaussian mixture\n');
    md.push(
      `Truth p(x) = ${MIXTURE.weights[0]}·N(${MIXTURE.means[0]}, ${MIXTURE.sds[0]}²) + ${MIXTURE.weights[1]}·N(${MIXTURE.means[1]}, ${MIXTURE.sds[1]}²). ` +
        `${c.trainSize} training points, ${c.sampleSize} generated points per checkpoint; W1 = ∫|F_gen − F_true| dx against the exact mixture CDF. ` +
        `Network: hidden ${c.hidden}, ${c.blocks} blocks, time embedding ${c.timeDim}, batch ${c.batch}, lr 2e-3 (trainDenoiser directly). Samplers: ddpm → ancestral 1000 steps; sgm-vp / sgm-ve → Euler–Maruyama 200 steps. ` +
        `mix = kmeans:2 prior (the paper's dispatcher); rows with skip none are the paper's DDPM/SGM and mixDDPM/mixSGM; skip identity / covariance add the Gaussian skip around the kmeans:2 centers (Σ = 1, or the pooled within-cluster variance ≈ ${MIXTURE.sds[0] ** 2}). Mean ± sd over seeds (min–max in brackets). ` +
        `W1 of a fresh ${c.sampleSize}-point sample of the truth itself (the noise floor): ${fmt(mean(synthTable.map((g) => g.floor)), 3)}.\n`,
    );
    const steps = synthTable[0].steps.map((s) => s.step);
    md.push(
      mdTable(
        ['family', 'prior', 'skip', 'seeds', ...steps.map((s) => `${s} steps`)],
        synthTable.map((g) => [g.family, g.prior, g.skip, g.seeds, ...g.steps.map((s) => `${fmt(s.mean, 3)} ± ${fmt(s.sd, 2)} (${fmt(s.min, 2)}–${fmt(s.max, 2)})`)]),
      ),
    );
    md.push(`\nReverse effort E‖x₀ − x_T‖² (Proposition 1): standard prior ${fmt(synthTable[0].effort.standard, 3)}, kmeans:2 mixture ${fmt(synthTable.find((g) => g.prior !== 'none')?.effort.mixture, 3)}.\n`);
    for (const fam of [...new Set(synthTable.map((g) => g.family))]) {
      const name = await chart(
        `synthetic-${fam}.svg`,
        lineChartSvg({
          title: `1-D mixture, ${fam}: W1 to the truth vs training steps (mean, band = min–max over seeds)`,
          x: 'training steps',
          y: 'W1',
          logX: true,
          series: synthTable
            .filter((g) => g.family === fam)
            .map((g) => ({ name: g.prior === 'none' ? `${fam} (prior none)` : `mix-${fam} (${g.prior}, skip ${g.skip})`, points: g.steps.map((s) => ({ x: s.step, y: s.mean, lo: s.min, hi: s.max })) })),
        }),
      );
      md.push(`\n![${fam}](${name})\n`);
    }
  }

  // ───────────── 2 / 4 / 5 / 3. calls
  const callsOut: Record<string, unknown> = {};
  const claim: Record<string, unknown> = {};
  const misspecOut: Record<string, unknown> = {};
  for (const d of flags.datasets) {
    const runs = callsRuns(shards, d, flags);
    if (!runs.length) continue;
    const spec = DATASETS[d];
    const refs = baselines(shards, d);
    const r0 = runs[0];
    const steps = r0.curve.map((p) => p.step);
    const maxStep = steps[steps.length - 1];
    callsOut[d] = { title: spec.title, note: spec.note, trainDays: r0.trainDays, selectionDays: r0.selectionDays, baselines: refs, runs };
    md.push(`\n## 2. ${spec.title}: held-out scores vs training steps\n`);
    md.push(
      `${spec.note} Split (chronological): first ${r0.trainDays} days train, next ${r0.selectionDays} days are the selection window scored here, ` +
        `the last 20 % are kept for section 6 only. ${r0.config.count} scenarios per calendar key (shared by that key's days, one seeded set per key), sampler ${r0.config.sampler}; ` +
        `network hidden ${r0.config.hidden}, ${r0.config.blocks} blocks, batch ${r0.config.batch}, lr ${r0.config.lr}, seed ${r0.config.seed}; one training seed per configuration (differences of 1–2 % are within seed noise). ` +
        `The control is prior none (all centers 0, x_T ~ N(0, I)) with the weekday label fed to the network. ` +
        `Lower is better; coverage target 0.8.\n`,
    );
    if (refs) {
      md.push(
        mdTable(
          ['reference (no training)', 'energy', 'CRPS', 'CRPS total', '80 % coverage'],
          (['bootstrap', 'gaussian'] as const).map((k) => [`${k} (weekday key)`, fmt(refs[k].energy), fmt(refs[k].crps), fmt(refs[k].crpsTotal), fmt(refs[k].coverage80, 3)]),
        ),
      );
      md.push('');
    }
    for (const key of ['energy', 'crps'] as const) {
      md.push(`\n### ${key === 'energy' ? 'Energy score' : 'Mean CRPS'} vs steps (${d})\n`);
      md.push(
        mdTable(
          ['configuration', 'setting', 'K', 'reverse effort std → mix', ...steps.map((s) => String(s)), `cov80 @${maxStep}`],
          runs.map((r) => [
            label(r.config.id),
            setting(r.config.id),
            r.K,
            `${fmt(r.effort.standard, 3)} → ${fmt(r.effort.mixture, 3)}`,
            ...steps.map((s) => fmt(at(r, s)?.[key])),
            fmt(last(r).coverage80, 3),
          ]),
        ),
      );
      const show = runs.filter((r) => ['none|none', 'none|cov', 'weekday|none', 'weekday|label|none', 'weekday|label|identity', DEFAULT_ID, 'kmeans:3|label|cov', 'control|none', 'control|cov'].includes(r.config.id));
      const series = show.map((r) => ({ name: r.config.id, points: r.curve.map((p) => ({ x: p.step, y: p[key] })) }));
      if (refs) series.push({ name: 'bootstrap', points: steps.map((s) => ({ x: s, y: refs.bootstrap[key] })) });
      const name = await chart(`calls-${d}-${key}.svg`, lineChartSvg({ title: `${d}: held-out ${key === 'energy' ? 'energy score' : 'mean CRPS'} vs training steps`, x: 'training steps', y: key === 'energy' ? 'energy score' : 'mean CRPS', logX: true, series }));
      md.push(`\n![${d} ${key}](${name})\n\n(Chart legend: \`prior|label|skip\`; \`control|…\` = centers 0 + weekday label; bootstrap = the no-training reference.)\n`);
    }
    const withSamplers = runs.filter((r) => r.samplers.length);
    if (withSamplers.length) {
      md.push(`\n### Samplers (${d})\n`);
      md.push(
        mdTable(
          ['configuration', 'step', 'sampler', 'energy', 'CRPS', 'cov80', 'seconds'],
          withSamplers.flatMap((r) =>
            [...new Set(r.samplers.map((s) => s.step))].flatMap((step) => {
              const p = at(r, step)!;
              return [
                [label(r.config.id), step, r.config.sampler, fmt(p.energy), fmt(p.crps), fmt(p.coverage80, 3), p.sampleSeconds.toFixed(1)],
                ...r.samplers.filter((s) => s.step === step).map((s) => [label(r.config.id), step, s.sampler, fmt(s.energy), fmt(s.crps), fmt(s.coverage80, 3), s.sampleSeconds.toFixed(1)]),
              ];
            }),
          ),
        ),
      );
    }
    // 4. reverse effort next to score
    md.push(`\n### 4. Reverse effort of each prior next to its score (${d})\n`);
    md.push("Reverse effort E‖x₀ − x_T‖² in model space (Proposition 1): the standard prior's value, the mixture's, and the share saved; scores at the first and last checkpoints.\n");
    md.push(
      mdTable(
        ['configuration', 'K', 'standard', 'mixture', 'saved', `energy @${steps[0]}`, `energy @${maxStep}`, `CRPS @${maxStep}`, 'train steps/s'],
        runs.map((r) => [label(r.config.id), r.K, fmt(r.effort.standard, 4), fmt(r.effort.mixture, 4), pct(r.effort.reduction / r.effort.standard), fmt(r.curve[0].energy), fmt(last(r).energy), fmt(last(r).crps), r.stepsPerSec.toFixed(1)]),
      ),
    );
    // 5. the claim
    const ddpm = byId(runs, 'none|none');
    if (ddpm) {
      const final = last(ddpm);
      const bestE = Math.min(...ddpm.curve.map((p) => p.energy));
      const bestC = Math.min(...ddpm.curve.map((p) => p.crps));
      const rows = runs
        .filter((r) => r.config.id !== 'none|none')
        .map((r) => {
          const e = stepsToReach(r, 'energy', final.energy);
          const c = stepsToReach(r, 'crps', final.crps);
          const skipNone = byId(runs, `none|${SKIP_ID[r.config.skip]}`);
          return {
            id: r.config.id,
            setting: setting(r.config.id),
            energySteps: e,
            crpsSteps: c,
            energyStepsToBest: stepsToReach(r, 'energy', bestE),
            crpsStepsToBest: stepsToReach(r, 'crps', bestC),
            sameSkipNone: skipNone && skipNone !== r ? { id: skipNone.config.id, final: last(skipNone).energy, steps: stepsToReach(r, 'energy', last(skipNone).energy) } : null,
          };
        });
      claim[d] = { ddpmFinalStep: final.step, ddpmFinal: { energy: final.energy, crps: final.crps }, ddpmBest: { energy: bestE, crps: bestC }, checkpoints: steps, rows };
      md.push(`\n### 5. Steps needed to reach DDPM's final score (${d})\n`);
      md.push(
        `DDPM (prior none, skip none) after ${final.step} steps: energy ${fmt(final.energy)}, CRPS ${fmt(final.crps)}; its best checkpoint: energy ${fmt(bestE)}, CRPS ${fmt(bestC)}. ` +
          `First checkpoint at which each configuration is at least as good (checkpoints ${steps.join(', ')}; "—" = not within ${final.step} steps); speed-up = ${final.step} / steps ` +
          `(${final.step / steps[0]}× is the most this grid can show: reached at the first checkpoint). The last column separates the prior from the skip: the steps to reach the final energy of prior none with the same skip mode.\n`,
      );
      md.push(
        mdTable(
          ['configuration', 'setting', 'steps to DDPM final (energy)', 'speed-up', 'steps (CRPS)', 'speed-up', 'steps to DDPM best (energy)', 'steps (CRPS)', 'steps to none-same-skip final (energy)'],
          rows.map((x) => [
            label(x.id),
            x.setting,
            x.energySteps ?? '—',
            x.energySteps ? `${(final.step / x.energySteps).toFixed(0)}×` : '—',
            x.crpsSteps ?? '—',
            x.crpsSteps ? `${(final.step / x.crpsSteps).toFixed(0)}×` : '—',
            x.energyStepsToBest ?? '—',
            x.crpsStepsToBest ?? '—',
            x.sameSkipNone ? `${x.sameSkipNone.steps ?? '—'} (${x.sameSkipNone.id} final ${fmt(x.sameSkipNone.final)})` : '',
          ]),
        ),
      );
    }
    // 3. misspecification
    const mis = jobRuns(shards, `misspec-${d}`);
    if (mis.length) {
      const right = byId(runs, DEFAULT_ID);
      const rightK = byId(runs, 'kmeans:3|label|cov');
      const noneSame = byId(runs, 'none|cov');
      const others = [...mis, ...runs.filter((r) => r.config.id === 'kmeans:2|label|cov' || r.config.id === 'kmeans:8|label|cov')];
      misspecOut[d] = { runs: mis, compared: others.map((r) => r.config.id) };
      const refOf = (r: CallsRun) => (r.config.prior.startsWith('kmeans') ? rightK : right);
      md.push(`\n## 3. Mis-specified priors (${d})\n`);
      md.push(
        'In the new default setting (label + covariance skip). Random centers: every center replaced by a random direction scaled to the typical norm of a day; shift: every center moved by one standard deviation of its component (total spread) in a random direction (the covariance skip is then pooled around the wrong centers); ' +
          'wrong K: kmeans:2 and kmeans:8 against kmeans:3 (all + label, skip cov). Relative differences (positive = worse) at each checkpoint vs the right prior (weekday + label, skip cov; kmeans:3 + label, skip cov for the kmeans rows), vs prior none with the same skip (none, skip cov) and vs plain none (DDPM, skip none).\n',
      );
      const rows: (string | number)[][] = [];
      for (const r of others) {
        const ref = refOf(r);
        for (const key of ['energy', 'crps'] as const) {
          rows.push([
            label(r.config.id),
            key,
            ...steps.map((s) => {
              const v = at(r, s)?.[key];
              const rv = ref && at(ref, s)?.[key];
              const nv = noneSame && at(noneSame, s)?.[key];
              const pv = ddpm && at(ddpm, s)?.[key];
              if (v === undefined) return '—';
              return `${fmt(v)} (${rv ? pct(v / rv - 1, 0) : '—'} / ${nv ? pct(v / nv - 1, 0) : '—'} / ${pv ? pct(v / pv - 1, 0) : '—'})`;
            }),
          ]);
        }
      }
      md.push(mdTable(['configuration', 'score', ...steps.map((s) => `${s}: value (vs right / vs none cov / vs DDPM)`)], rows));
      md.push(
        `\n${mdTable(
          ['configuration', 'reverse effort std → mix', `energy @${maxStep}`, 'vs right prior', 'vs none, skip cov', 'vs DDPM', 'better than none cov?', 'better than DDPM?', `CRPS @${maxStep} vs right`],
          others.map((r) => {
            const ref = refOf(r);
            const v = last(r).energy;
            return [
              label(r.config.id),
              `${fmt(r.effort.standard, 3)} → ${fmt(r.effort.mixture, 3)}`,
              fmt(v),
              ref ? pct(v / last(ref).energy - 1) : '—',
              noneSame ? pct(v / last(noneSame).energy - 1) : '—',
              ddpm ? pct(v / last(ddpm).energy - 1) : '—',
              noneSame ? (v < last(noneSame).energy ? 'yes' : 'no') : '—',
              ddpm ? (v < last(ddpm).energy ? 'yes' : 'no') : '—',
              ref ? pct(last(r).crps / last(ref).crps - 1) : '—',
            ];
          }),
        )}`,
      );
    }
  }
  // 5. summary over datasets: the default and the paper-setting configurations
  const claimDs = flags.datasets.filter((d) => claim[d]);
  if (claimDs.length) {
    type ClaimRow = { id: string; setting: string; energySteps: number | null; crpsSteps: number | null };
    const ids = [...new Set(claimDs.flatMap((d) => (claim[d] as { rows: ClaimRow[] }).rows.filter((x) => x.setting === 'default' || x.setting === 'paper').map((x) => x.id)))];
    md.push("\n## 5. Summary: training steps to reach DDPM's final held-out score\n");
    md.push(
      `For the shipped default configuration and the paper-setting configurations (mixture prior alone, no label, skip none); DDPM = prior none, skip none after ${claimDs.map((d) => `${(claim[d] as { ddpmFinalStep: number }).ddpmFinalStep} steps (${d})`).join(', ')}. ` +
        'Cell: steps (speed-up) for energy / CRPS; "—" = not reached within the run.\n',
    );
    md.push(
      mdTable(
        ['configuration', 'setting', ...claimDs],
        ids.map((id) => [
          label(id),
          setting(id),
          ...claimDs.map((d) => {
            const c = claim[d] as { ddpmFinalStep: number; rows: ClaimRow[] };
            const x = c.rows.find((r) => r.id === id);
            if (!x) return 'not run';
            const f = (s: number | null) => (s ? `${s} (${(c.ddpmFinalStep / s).toFixed(0)}×)` : '—');
            return `${f(x.energySteps)} / ${f(x.crpsSteps)}`;
          }),
        ]),
      ),
    );
  }
  const width = jobRuns(shards, 'width-bank');
  if (width.length) {
    const ref = byId(callsRuns(shards, 'bank', flags), DEFAULT_ID);
    md.push(`\n## Network width check (bank, ${label(DEFAULT_ID)})\n`);
    md.push(
      mdTable(
        ['hidden', 'train steps/s', ...width[0].curve.map((p) => `energy @${p.step}`), 'CRPS @last'],
        [
          ...(ref ? [[ref.config.hidden, ref.stepsPerSec.toFixed(1), ...width[0].curve.map((p) => fmt(at(ref, p.step)?.energy)), fmt(last(ref).crps)]] : []),
          ...width.map((w) => [w.config.hidden, w.stepsPerSec.toFixed(1), ...w.curve.map((p) => fmt(p.energy)), fmt(last(w).crps)]),
        ],
      ),
    );
  }

  // ───────────── defaults and 6. quality
  const quality: Record<string, unknown> = {};
  if (defaultsInfo) {
    const D = defaultsInfo.defaults;
    const lib = defaultFitOptions;
    md.push('\n## Chosen defaults\n');
    md.push(
      `prior **${D.prior}**, condition **${D.condition}**, skip **${D.skip}**, steps **${D.steps}**, sampler **${D.sampler}**, ` +
        `hidden ${D.hidden}, blocks ${D.blocks} (${defaultsInfo.source}). ` +
        `The library currently ships prior ${lib.prior}, condition ${lib.condition}, skip ${lib.skip}, ${lib.steps} steps, sampler ${lib.sampler}, hidden ${lib.hidden} (src/train/fit.ts defaultFitOptions)` +
        (lib.prior === D.prior && lib.condition === D.condition && lib.skip === D.skip && lib.steps === D.steps && lib.sampler === D.sampler ? ' — the same.\n' : '; section 6 scores both.\n'),
    );
    md.push(defaultsInfo.evidence.map((e) => `- ${e}`).join('\n') + '\n');
  }
  const qRows: (string | number)[][] = [];
  const fitSeconds: string[] = [];
  for (const d of flags.datasets) {
    const q = shards[`quality-${d}`]?.runs.backtest as QualityShard | undefined;
    if (!q) continue;
    quality[d] = q;
    const model = q.summary.find((m) => m.method === 'model');
    // (with the chosen skip none, the backtest's ddpm baseline already is plain DDPM)
    const methods = [...q.summary, ...(q.extra ?? []).filter((x) => !(q.defaults.skip === 'none' && x.name === 'ddpm (skip none)')).map((x) => x.summary)];
    for (const m of methods) {
      qRows.push([
        d,
        m.method === 'model' ? 'model (chosen defaults)' : m.method === 'ddpm' ? `ddpm (prior none, skip ${q.defaults.skip})` : m.method,
        fmt(m.mean.energy),
        pct(m.vsBootstrap.energy ?? null),
        fmt(m.mean.crps),
        pct(m.vsBootstrap.crps ?? null),
        fmt(m.mean.mae),
        fmt(m.mean['coverage@0.8'], 3),
        fmt(m.mean['coverage@0.5'], 3),
        fmt(m.mean['coverage@0.9'], 3),
      ]);
    }
    const fits = q.folds.flatMap((f) => f.fits.filter((x) => x.method === 'model'));
    if (fits.length) fitSeconds.push(`${d}: ${fits.map((x) => `${x.seconds.toFixed(1)} s`).join(' / ')} (${q.defaults.steps} steps, ${fmt(mean(fits.map((x) => x.stepsPerSec)), 3)} steps/s)`);
    const targetsOf = (m: MethodSummary) => {
      const cov = m.mean['coverage@0.8'];
      return { energy10: (m.vsBootstrap.energy ?? -1) >= 0.1, crps10: (m.vsBootstrap.crps ?? -1) >= 0.1, coverage80: cov >= 0.75 && cov <= 0.85 };
    };
    if (model) (quality[d] as Record<string, unknown>).targets = targetsOf(model);
    const libRow = (q.extra ?? []).find((x) => x.name.startsWith('library defaults'));
    if (libRow) (quality[d] as Record<string, unknown>).libraryDefaultsTargets = targetsOf(libRow.summary);
  }
  if (qRows.length) {
    md.push('\n## 6. Scenario quality on the test window with the chosen defaults\n');
    md.push(
      'Rolling origin over the last 20 % of days (never used by the selection): 2 folds, each trains on every day before its cutoff. Targets: energy score and mean CRPS ≥ 10 % better than bootstrap; 80 % intervals cover 75–85 %. ' +
        '"better than bootstrap" = (bootstrap − method) / bootstrap, so positive = better. The `ddpm` baseline of the backtest is prior none with the chosen options (so the same skip); `ddpm (skip none)` is plain DDPM with the same steps; both use the chosen steps. ' +
        'Full reports: `quality-bank/report.md`, `quality-anon/report.md`.\n',
    );
    md.push(mdTable(['dataset', 'method', 'energy', 'better than bootstrap', 'CRPS', 'better than bootstrap', 'MAE', 'cov80', 'cov50', 'cov90'], qRows));
    if (fitSeconds.length) md.push(`\nTraining time of the chosen model per fold (2 cores, shared): ${fitSeconds.join('; ')}.\n`);
    const tg = flags.datasets
      .filter((d) => quality[d])
      .map((d) => {
        const line = (t: Record<string, boolean>) => `energy ≥ 10 % better ${t.energy10 ? 'met' : 'NOT met'}, CRPS ≥ 10 % better ${t.crps10 ? 'met' : 'NOT met'}, 80 % coverage in 75–85 % ${t.coverage80 ? 'met' : 'NOT met'}`;
        const q = quality[d] as { targets?: Record<string, boolean>; libraryDefaultsTargets?: Record<string, boolean> };
        return [q.targets ? `${d}, chosen defaults: ${line(q.targets)}` : '', q.libraryDefaultsTargets ? `${d}, library defaults: ${line(q.libraryDefaultsTargets)}` : ''].filter(Boolean).join('\n- ');
      });
    md.push('\n' + tg.map((x) => `- ${x}`).join('\n') + '\n');
  }

  const json = {
    createdAt: new Date().toISOString(),
    flags,
    environment: env,
    mixture: MIXTURE,
    synthetic: { table: synthTable, runs: synth },
    calls: callsOut,
    misspec: misspecOut,
    claim,
    width,
    defaults: defaultsInfo,
    quality,
    charts,
  };
  put('paper.json', JSON.stringify(json, null, 1) + '\n');
  put('paper.md', md.join('\n'));
  return written;
}
