/** Builds bench/results/paper.json, paper.md and the SVG line charts from the job shards. */
import path from 'node:path';
import { writeFileAtomic } from '../../src/io.js';
import { lineChartSvg } from '../../src/eval/charts.js';
import { fmt, mdTable, pct } from '../../src/eval/report.js';
import type { MethodSummary } from '../../src/eval/backtest.js';
import { DATASETS, RESULTS, mean, sd } from './common.js';
import { MIXTURE, type SyntheticRun } from './synthetic.js';
import type { CallsRun, CurvePoint } from './calls.js';
import type { Defaults, PaperFlags } from './jobs.js';

type Shards = Record<string, { job: string; runs: Record<string, unknown> }>;
type DatasetId = 'bank' | 'anon';
type BaselineRef = { bootstrap: Omit<CurvePoint, 'step'>; gaussian: Omit<CurvePoint, 'step'> };
type QualityShard = { defaults: Defaults; horizon: number; dir: string; summary: MethodSummary[]; folds: unknown[]; timings: unknown };

export const FALLBACK_DEFAULTS: Defaults = { prior: 'weekday', condition: 'none', steps: 2000, sampler: 'ddim:50', hidden: 128, blocks: 3 };

function callsRuns(shards: Shards, job: string): CallsRun[] {
  const s = shards[job];
  if (!s) return [];
  return Object.entries(s.runs)
    .filter(([id]) => id !== 'baselines')
    .map(([, r]) => r as CallsRun);
}

const last = (r: CallsRun) => r.curve[r.curve.length - 1];
const at = (r: CallsRun, step: number) => r.curve.find((p) => p.step === step);

/**
 * The defaults rule (selection window only, never the test window): over every section-2
 * configuration (no control, no mis-specification) present on every dataset and every checkpoint,
 * the relative score ½(ES/ES_none + CRPS/CRPS_none) — `none` at its last checkpoint — averaged
 * over datasets; the configuration with the lowest value wins, and its steps are the first
 * checkpoint within 1 % of that configuration's best (fewer steps at a tie). Sampler: the best
 * (same relative score, at the last checkpoint) of those scored for the winner or, if it has none,
 * for `weekday|cond`: ddim:50 unless another 50-step sampler is at least 1 % better (the latency
 * target rules out 1,000-step ddpm unless it is more than 2 % better).
 */
export function chooseDefaults(shards: Shards, datasets: DatasetId[], flags: Pick<PaperFlags, 'hidden' | 'blocks'>): { defaults: Defaults; evidence: string[] } | null {
  const per = datasets.map((d) => callsRuns(shards, `calls-${d}`));
  if (per.some((runs) => runs.length === 0)) return null;
  const none = per.map((runs) => runs.find((r) => r.config.id === 'none'));
  if (none.some((r) => !r)) return null;
  const ids = per[0].map((r) => r.config.id).filter((id) => id !== 'none|label' && per.every((runs) => runs.some((r) => r.config.id === id)));
  const relAt = (id: string, step: number): number | null => {
    const v = per.map((runs, i) => {
      const p = at(runs.find((x) => x.config.id === id)!, step);
      return p ? 0.5 * (p.energy / last(none[i]!).energy + p.crps / last(none[i]!).crps) : null;
    });
    return v.some((x) => x === null) ? null : mean(v as number[]);
  };
  const best = ids.map((id) => {
    const steps = per[0].find((r) => r.config.id === id)!.curve.map((p) => p.step);
    const scored = steps.map((s) => ({ s, v: relAt(id, s) })).filter((x): x is { s: number; v: number } => x.v !== null);
    const min = Math.min(...scored.map((x) => x.v));
    const pick = scored.find((x) => x.v <= 1.01 * min)!;
    return { id, rel: min, steps: pick.s, relAtSteps: pick.v, lastRel: scored[scored.length - 1].v };
  });
  best.sort((a, b) => a.rel - b.rel);
  const win = best[0];
  const cfg = per[0].find((r) => r.config.id === win.id)!.config;
  let samplerRunId = per.every((runs) => runs.find((r) => r.config.id === win.id)?.samplers.length) ? win.id : 'weekday|cond';
  const wk = per.map((runs) => runs.find((r) => r.config.id === samplerRunId));
  let sampler = 'ddim:50';
  const samplerEvidence: string[] = [];
  if (wk.every((r) => r && r.samplers.length)) {
    const cands = [wk[0]!.config.sampler, ...wk[0]!.samplers.map((s) => s.sampler)];
    const score = (s: string) =>
      mean(
        wk.map((r) => {
          const p = s === r!.config.sampler ? last(r!) : r!.samplers.find((x) => x.sampler === s)!;
          return 0.5 * (p.energy / last(r!).energy + p.crps / last(r!).crps);
        }),
      );
    const scored = cands.map((s) => ({ s, v: score(s) })).sort((a, b) => a.v - b.v);
    // ddim:50 (one network call per step) unless another 50-step sampler is ≥ 1 % better
    // (ode:50 costs two calls per step), or ddpm-1000 is > 2 % better than the best 50-step one.
    const fifty = scored.filter((x) => /:50(:|$)/.test(x.s));
    const ddim = fifty.find((x) => x.s === 'ddim:50');
    const bestFifty = ddim && fifty[0] && fifty[0].v > 0.99 * ddim.v ? ddim : fifty[0];
    const ddpm = scored.find((x) => x.s === 'ddpm');
    sampler = bestFifty?.s ?? 'ddim:50';
    if (ddpm && ddpm.v < 0.98 * (bestFifty?.v ?? Infinity)) sampler = 'ddpm';
    samplerEvidence.push(
      `sampler scores of ${samplerRunId} at its last checkpoint (½(ES+CRPS) relative to ${wk[0]!.config.sampler}, mean over datasets): ${scored.map((x) => `${x.s} ${x.v.toFixed(3)}`).join(', ')}`,
    );
  } else samplerRunId = '';
  return {
    defaults: { prior: cfg.prior, condition: cfg.condition, steps: win.steps, sampler, hidden: flags.hidden, blocks: flags.blocks },
    evidence: [
      `best relative score ½(ES/ES_none + CRPS/CRPS_none) over checkpoints, mean over ${datasets.join(' and ')} (selection window; none at its last checkpoint = 1): ` +
        best.map((x) => `${x.id} ${x.rel.toFixed(3)} @${x.steps} (last ${x.lastRel.toFixed(3)})`).join(', '),
      `steps: the first checkpoint of ${win.id} within 1 % of its best = ${win.steps}`,
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
    const k = `${r.config.family}|${r.config.prior}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: { family: string; prior: string; seeds: number; steps: { step: number; mean: number; sd: number; min: number; max: number }[]; floor: number; effort: SyntheticRun['effort'] }[] = [];
  for (const [k, rs] of groups) {
    const [family, prior] = k.split('|');
    const steps = rs[0].curve.map((p) => p.step);
    out.push({
      family,
      prior,
      seeds: rs.length,
      steps: steps.map((s) => {
        const v = rs.map((r) => r.curve.find((p) => p.step === s)!.w1);
        return { step: s, mean: mean(v), sd: sd(v), min: Math.min(...v), max: Math.max(...v) };
      }),
      floor: mean(rs.map((r) => r.floor)),
      effort: rs[0].effort,
    });
  }
  return out;
}

const label = (id: string) =>
  id
    .replace('|cond', ' + cond')
    .replace('none|label', 'none + weekday label (control)')
    .replace('|random-centers', ' (random centers)')
    .replace('|shift', ' (centers shifted 1 sd)')
    .replace('|hidden256', ' (hidden 256)');

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
      `Machine: ${JSON.stringify(env)}; other processes shared the 2 cores during the run, so the train steps/s columns are indicative only (see speed.json for clean timings). Every run is a single training run with checkpoints: the score at step s is the EMA network after s steps of a run whose learning-rate schedule spans the run's last checkpoint (warm-up 100 steps, cosine decay to 5 %).\n`,
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
        `Network: hidden ${c.hidden}, ${c.blocks} blocks, time embedding ${c.timeDim}, batch ${c.batch}, lr 2e-3. Samplers: ddpm → ancestral 1000 steps; sgm-vp / sgm-ve → Euler–Maruyama 200 steps. ` +
        `mix = kmeans:2 prior (the paper's dispatcher). Mean ± sd over seeds (min–max in brackets). ` +
        `W1 of a fresh ${c.sampleSize}-point sample of the truth itself (the noise floor): ${fmt(mean(synthTable.map((g) => g.floor)), 3)}.\n`,
    );
    const steps = synthTable[0].steps.map((s) => s.step);
    md.push(
      mdTable(
        ['family', 'prior', 'seeds', ...steps.map((s) => `${s} steps`)],
        synthTable.map((g) => [g.family, g.prior, g.seeds, ...g.steps.map((s) => `${fmt(s.mean, 3)} ± ${fmt(s.sd, 2)} (${fmt(s.min, 2)}–${fmt(s.max, 2)})`)]),
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
            .map((g) => ({ name: g.prior === 'none' ? `${fam} (prior none)` : `mix-${fam} (${g.prior})`, points: g.steps.map((s) => ({ x: s.step, y: s.mean, lo: s.min, hi: s.max })) })),
        }),
      );
      md.push(`\n![${fam}](${name})\n`);
    }
  }

  // ───────────── 2 / 4. calls
  const callsOut: Record<string, unknown> = {};
  const claim: Record<string, unknown> = {};
  const misspecOut: Record<string, unknown> = {};
  for (const d of flags.datasets) {
    const runs = callsRuns(shards, `calls-${d}`);
    if (!runs.length) continue;
    const spec = DATASETS[d];
    const refs = shards[`calls-${d}`].runs.baselines as BaselineRef | undefined;
    const r0 = runs[0];
    const steps = r0.curve.map((p) => p.step);
    callsOut[d] = { title: spec.title, note: spec.note, trainDays: r0.trainDays, selectionDays: r0.selectionDays, baselines: refs, runs };
    md.push(`\n## 2. ${spec.title}: held-out scores vs training steps\n`);
    md.push(
      `${spec.note} Split (chronological): first ${r0.trainDays} days train, next ${r0.selectionDays} days are the selection window scored here, ` +
        `the last 20 % are kept for section 6 only. ${r0.config.count} scenarios per calendar key (shared by that key's days, one seeded set per key), sampler ${r0.config.sampler}; ` +
        `network hidden ${r0.config.hidden}, ${r0.config.blocks} blocks, batch ${r0.config.batch}, lr ${r0.config.lr}, seed ${r0.config.seed}; one training seed per configuration. ` +
        `"+ cond" = the network also gets the component label; the control is prior none (all centers 0) with the weekday label fed to the network. ` +
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
          ['configuration', 'K', 'reverse effort std → mix', ...steps.map((s) => String(s)), `cov80 @${steps[steps.length - 1]}`],
          runs.map((r) => [
            label(r.config.id),
            r.K,
            `${fmt(r.effort.standard, 3)} → ${fmt(r.effort.mixture, 3)}`,
            ...steps.map((s) => fmt(at(r, s)?.[key])),
            fmt(last(r).coverage80, 3),
          ]),
        ),
      );
      const show = runs.filter((r) => ['none', 'weekday', 'weekday|cond', 'none|label', 'kmeans:3', 'kmeans:3|cond', 'weekday*season|cond'].includes(r.config.id));
      const series = show.map((r) => ({ name: r.config.id, points: r.curve.map((p) => ({ x: p.step, y: p[key] })) }));
      if (refs) series.push({ name: 'bootstrap', points: steps.map((s) => ({ x: s, y: refs.bootstrap[key] })) });
      const name = await chart(`calls-${d}-${key}.svg`, lineChartSvg({ title: `${d}: held-out ${key === 'energy' ? 'energy score' : 'mean CRPS'} vs training steps`, x: 'training steps', y: key === 'energy' ? 'energy score' : 'mean CRPS', logX: true, series }));
      md.push(`\n![${d} ${key}](${name})\n\n(Chart legend: \`|cond\` = component label fed to the network; \`none|label\` = the control; bootstrap = the no-training reference.)\n`);
    }
    const withSamplers = runs.filter((r) => r.samplers.length);
    if (withSamplers.length) {
      md.push(`\n### Samplers at step ${steps[steps.length - 1]} (${d})\n`);
      md.push(
        mdTable(
          ['configuration', 'sampler', 'energy', 'CRPS', 'cov80', 'seconds'],
          withSamplers.flatMap((r) => [
            [label(r.config.id), r.config.sampler, fmt(last(r).energy), fmt(last(r).crps), fmt(last(r).coverage80, 3), last(r).sampleSeconds.toFixed(1)],
            ...r.samplers.map((s) => [label(r.config.id), s.sampler, fmt(s.energy), fmt(s.crps), fmt(s.coverage80, 3), s.sampleSeconds.toFixed(1)]),
          ]),
        ),
      );
    }
    // 4. reverse effort next to score
    md.push(`\n### 4. Reverse effort of each prior next to its score (${d}, step ${steps[steps.length - 1]})\n`);
    md.push('Reverse effort E‖x₀ − x_T‖² in model space (Proposition 1): the standard prior\'s value, the mixture\'s, and the share saved.\n');
    md.push(
      mdTable(
        ['configuration', 'K', 'standard', 'mixture', 'saved', 'energy', 'CRPS', 'train steps/s'],
        runs.map((r) => [label(r.config.id), r.K, fmt(r.effort.standard, 4), fmt(r.effort.mixture, 4), pct(r.effort.reduction / r.effort.standard), fmt(last(r).energy), fmt(last(r).crps), r.stepsPerSec.toFixed(1)]),
      ),
    );
    // 5. the claim
    const ddpm = runs.find((r) => r.config.id === 'none');
    if (ddpm) {
      const final = last(ddpm);
      const bestE = Math.min(...ddpm.curve.map((p) => p.energy));
      const bestC = Math.min(...ddpm.curve.map((p) => p.crps));
      const rows = runs
        .filter((r) => r.config.id !== 'none')
        .map((r) => {
          const e = stepsToReach(r, 'energy', final.energy);
          const c = stepsToReach(r, 'crps', final.crps);
          return { id: r.config.id, energySteps: e, crpsSteps: c, energyStepsToBest: stepsToReach(r, 'energy', bestE), crpsStepsToBest: stepsToReach(r, 'crps', bestC) };
        });
      claim[d] = { ddpmFinalStep: final.step, ddpmFinal: { energy: final.energy, crps: final.crps }, ddpmBest: { energy: bestE, crps: bestC }, rows };
      md.push(`\n### 5. Steps needed to reach DDPM's final score (${d})\n`);
      md.push(
        `DDPM (prior none) after ${final.step} steps: energy ${fmt(final.energy)}, CRPS ${fmt(final.crps)}; its best checkpoint: energy ${fmt(bestE)}, CRPS ${fmt(bestC)}. ` +
          `First checkpoint at which each configuration is at least as good (checkpoints ${steps.join(', ')}; "—" = not within ${final.step} steps); speed-up = ${final.step} / steps.\n`,
      );
      md.push(
        mdTable(
          ['configuration', 'steps to DDPM final (energy)', 'speed-up', 'steps (CRPS)', 'speed-up', 'steps to DDPM best (energy)', 'steps (CRPS)'],
          rows.map((x) => [
            label(x.id),
            x.energySteps ?? '—',
            x.energySteps ? `${(final.step / x.energySteps).toFixed(1)}×` : '—',
            x.crpsSteps ?? '—',
            x.crpsSteps ? `${(final.step / x.crpsSteps).toFixed(1)}×` : '—',
            x.energyStepsToBest ?? '—',
            x.crpsStepsToBest ?? '—',
          ]),
        ),
      );
    }
    // 3. misspecification
    const mis = callsRuns(shards, `misspec-${d}`);
    if (mis.length) {
      misspecOut[d] = mis;
      const right = runs.find((r) => r.config.id === 'weekday|cond');
      const rightK = runs.find((r) => r.config.id === 'kmeans:3|cond');
      const rightK0 = runs.find((r) => r.config.id === 'kmeans:3');
      const others = [...mis, ...runs.filter((r) => r.config.id === 'kmeans:2' || r.config.id === 'kmeans:8')];
      md.push(`\n## 3. Mis-specified priors (${d})\n`);
      md.push(
        'With the component label fed to the network (the setting of the defaults). Random centers: every center replaced by a random direction scaled to the typical norm of a day; shift: every center moved by one standard deviation of its component (total spread) in a random direction; ' +
          'wrong K: kmeans:2 and kmeans:8 against kmeans:3 (no label). Relative differences (positive = worse) at each checkpoint vs the right prior (weekday + cond; kmeans:3 + cond for its shift; kmeans:3 for wrong K) and vs none.\n',
      );
      const rows: (string | number)[][] = [];
      for (const r of others) {
        const ref = r.config.prior.startsWith('kmeans') ? (r.config.condition === 'component' ? rightK : rightK0) : right;
        for (const key of ['energy', 'crps'] as const) {
          rows.push([
            label(r.config.id),
            key,
            ...steps.map((s) => {
              const v = at(r, s)?.[key];
              const rv = ref && at(ref, s)?.[key];
              const nv = ddpm && at(ddpm, s)?.[key];
              if (v === undefined) return '—';
              return `${fmt(v)} (${rv ? pct(v / rv - 1, 0) : '—'} / ${nv ? pct(v / nv - 1, 0) : '—'})`;
            }),
          ]);
        }
      }
      md.push(mdTable(['configuration', 'score', ...steps.map((s) => `${s}: value (vs right / vs none)`)], rows));
      md.push(
        `\n${mdTable(
          ['configuration', 'reverse effort std → mix', `energy @${steps[steps.length - 1]}`, 'vs right prior', 'vs none', 'better than none?'],
          others.map((r) => {
            const ref = r.config.prior.startsWith('kmeans') ? (r.config.condition === 'component' ? rightK : rightK0) : right;
            const v = last(r).energy;
            return [
              label(r.config.id),
              `${fmt(r.effort.standard, 3)} → ${fmt(r.effort.mixture, 3)}`,
              fmt(v),
              ref ? pct(v / last(ref).energy - 1) : '—',
              ddpm ? pct(v / last(ddpm).energy - 1) : '—',
              ddpm ? (v < last(ddpm).energy ? 'yes' : 'no') : '—',
            ];
          }),
        )}`,
      );
    }
  }
  const width = callsRuns(shards, 'width-bank');
  if (width.length) {
    const ref = callsRuns(shards, 'calls-bank').find((r) => r.config.id === 'weekday|cond');
    md.push('\n## Network width check (bank, weekday prior + cond)\n');
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
    md.push('\n## Chosen defaults\n');
    md.push(
      `prior **${defaultsInfo.defaults.prior}**, condition **${defaultsInfo.defaults.condition}**, steps **${defaultsInfo.defaults.steps}**, sampler **${defaultsInfo.defaults.sampler}**, ` +
        `hidden ${defaultsInfo.defaults.hidden}, blocks ${defaultsInfo.defaults.blocks} (${defaultsInfo.source}).\n`,
    );
    md.push(defaultsInfo.evidence.map((e) => `- ${e}`).join('\n') + '\n');
  }
  const qRows: (string | number)[][] = [];
  for (const d of flags.datasets) {
    const q = shards[`quality-${d}`]?.runs.backtest as QualityShard | undefined;
    if (!q) continue;
    quality[d] = q;
    const model = q.summary.find((m) => m.method === 'model');
    for (const m of q.summary) {
      qRows.push([
        d,
        m.method,
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
    if (model) {
      const okE = (model.vsBootstrap.energy ?? -1) >= 0.1;
      const okC = (model.vsBootstrap.crps ?? -1) >= 0.1;
      const cov = model.mean['coverage@0.8'];
      const okV = cov >= 0.75 && cov <= 0.85;
      (quality[d] as Record<string, unknown>).targets = { energy10: okE, crps10: okC, coverage80: okV };
    }
  }
  if (qRows.length) {
    md.push('\n## 6. Scenario quality on the test window with the chosen defaults\n');
    md.push(
      'Rolling origin over the last 20 % of days (never used by the selection): 2 folds, each trains on every day before its cutoff. Targets: energy score and mean CRPS ≥ 10 % better than bootstrap; 80 % intervals cover 75–85 %. ' +
        'Full reports: `quality-bank/report.md`, `quality-anon/report.md`.\n',
    );
    md.push(mdTable(['dataset', 'method', 'energy', 'vs bootstrap', 'CRPS', 'vs bootstrap', 'MAE', 'cov80', 'cov50', 'cov90'], qRows));
    const tg = flags.datasets
      .filter((d) => quality[d])
      .map((d) => {
        const t = (quality[d] as { targets?: Record<string, boolean> }).targets;
        return t ? `${d}: energy ≥ 10 % better ${t.energy10 ? 'met' : 'NOT met'}, CRPS ≥ 10 % better ${t.crps10 ? 'met' : 'NOT met'}, 80 % coverage in 75–85 % ${t.coverage80 ? 'met' : 'NOT met'}` : '';
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
