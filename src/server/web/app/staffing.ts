/// <reference lib="dom" />
/**
 * Staffing: POST /v1/staffing gives, per date, agents per interval for the mean-forecast plan and
 * the coverage plan with their expected service level. "Simulate" fixes one plan and runs the
 * library's discrete-event queue simulation (src/staffing/simulate.ts, bundled into the page)
 * over the same scenarios (POST /v1/scenarios, same request and seed): the distribution of the
 * day's service level over scenarios.
 */
import { staffingSpec, type StaffingChartInput } from '../../../eval/charts.js';
import { simulate } from '../../../staffing/simulate.js';
import { api } from './api.js';
import { downloadButtons, type CsvTable } from './download.js';
import { fillTable, fmt, fmtPct } from './format.js';
import { baseRequest, setStatus } from './state.js';
import type { PlanAnswer, ScenariosAnswer, StaffingAnswer } from './types.js';
import { draw, viewOf } from './vega.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const numberOf = (id: string) => Number($<HTMLInputElement>(id).value);

interface Inputs {
  aht: number;
  target: number;
  within: number;
  coverage: number;
  patience?: number;
}

let last: { inputs: Inputs; answer: StaffingAnswer; simulated: Map<string, { plan: string; serviceLevel: number[] }> } | null = null;

const planLabel = (p: PlanAnswer, coverage: number) => (p.name === 'coverage' ? `coverage ${Math.round(coverage * 100)} %` : 'mean forecast');

function readInputs(): Inputs {
  const patience = $<HTMLInputElement>('patience').value.trim();
  return { aht: numberOf('aht'), target: numberOf('target') / 100, within: numberOf('within'), coverage: numberOf('coverage') / 100, ...(patience ? { patience: Number(patience) } : {}) };
}

async function render(): Promise<void> {
  const { inputs, answer, simulated } = last!;
  const input: StaffingChartInput = {
    title: `Staffing: AHT ${fmt(inputs.aht)} s, ${fmtPct(inputs.target)} answered within ${fmt(inputs.within)} s (${answer.count} scenarios)`,
    labels: answer.labels,
    target: inputs.target,
    dates: answer.dates.map((d) => ({
      date: `${d.date} ${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(`${d.date}T00:00:00Z`).getUTCDay()]}`,
      plans: [d.result.plans.mean, d.result.plans.coverage].map((p) => ({ name: planLabel(p, d.result.coverage), agents: p.agents, expectedServiceLevel: p.expectedServiceLevel })),
      simulated: simulated.get(d.date),
    })),
  };
  await draw('staffing-chart', staffingSpec(input));
  const rows: (string | number)[][] = [];
  for (const d of answer.dates) {
    for (const p of [d.result.plans.mean, d.result.plans.coverage]) {
      const sim = simulated.get(d.date);
      const mine = sim && sim.plan === planLabel(p, d.result.coverage) ? sim.serviceLevel.slice().sort((a, b) => a - b) : null;
      const q = (l: number) => (mine ? mine[Math.min(mine.length - 1, Math.floor(l * mine.length))] : NaN);
      rows.push([d.date, planLabel(p, d.result.coverage), p.day.agentHours, p.day.expectedServiceLevel, p.day.missShare, p.day.allIntervalsMetShare, q(0.1), q(0.5), mine ? mine.filter((x) => x >= inputs.target).length / mine.length : NaN]);
    }
  }
  fillTable(
    'staffing-table',
    'Plans per date: agent-hours, expected service level, and the simulated day service level of the fixed plan',
    ['date', 'plan', 'agent-hours', 'expected SL', 'intervals missed', 'days with every interval met', 'simulated SL p10', 'simulated SL median', 'simulated days meeting target'],
    rows,
    (x, col) => (Number.isNaN(x) ? '—' : col === 2 ? fmt(x) : fmtPct(x)),
  );
  const csv = [{ label: 'CSV plans', file: 'staffing', table: () => planTable(answer) }];
  if (simulated.size > 0) csv.push({ label: 'CSV simulated', file: 'staffing-simulated', table: () => simTable(simulated) });
  downloadButtons('staffing', { csv, view: () => viewOf('staffing-chart') });
}

function planTable(a: StaffingAnswer): CsvTable {
  return {
    header: ['date', 'interval_start', 'mean_calls', 'mean_plan_agents', 'mean_plan_expected_sl', 'coverage_plan_agents', 'coverage_plan_expected_sl'],
    rows: a.dates.flatMap((d) => a.labels.map((l, i) => [d.date, l, d.result.meanCalls[i], d.result.plans.mean.agents[i], d.result.plans.mean.expectedServiceLevel[i], d.result.plans.coverage.agents[i], d.result.plans.coverage.expectedServiceLevel[i]])),
  };
}

function simTable(sim: Map<string, { plan: string; serviceLevel: number[] }>): CsvTable {
  return { header: ['date', 'plan', 'scenario', 'service_level'], rows: [...sim].flatMap(([date, s]) => s.serviceLevel.map((v, k) => [date, s.plan, k, v])) };
}

export async function runStaffing(): Promise<void> {
  try {
    const inputs = readInputs();
    setStatus('planning staffing…');
    const answer = await api<StaffingAnswer>('/v1/staffing', { ...baseRequest(), ...inputs });
    last = { inputs, answer, simulated: new Map() };
    await render();
    $('fix-row').hidden = false;
    setStatus(`staffing planned for ${answer.dates.length} date(s)`);
  } catch (e) {
    setStatus((e as Error).message, true);
  }
}

export async function runSimulation(): Promise<void> {
  if (!last) return;
  try {
    const which = $<HTMLSelectElement>('fixed-plan').value as 'mean' | 'coverage';
    setStatus(`simulating the ${which} plan over the scenarios…`);
    const { inputs, answer } = last;
    const scen = await api<ScenariosAnswer>('/v1/scenarios', { ...baseRequest(), output: 'counts' });
    last.simulated = new Map();
    scen.dates.forEach((d, i) => {
      const res = answer.dates[i].result;
      const plan = res.plans[which];
      const detail = simulate({ plan: plan.agents, scenarios: d.values, intervalSeconds: answer.intervalSeconds, aht: inputs.aht, within: inputs.within, patience: inputs.patience, seed: answer.seed, detail: true }).detail!;
      const serviceLevel = detail.arrivals.map((row, s) => {
        const calls = row.reduce((a, b) => a + b, 0);
        return calls > 0 ? detail.answeredWithin[s].reduce((a, b) => a + b, 0) / calls : 1;
      });
      last!.simulated.set(d.date, { plan: planLabel(plan, res.coverage), serviceLevel });
    });
    await render();
    setStatus(`simulated the ${which} plan on ${scen.count} scenarios per date`);
  } catch (e) {
    setStatus((e as Error).message, true);
  }
}

export function initStaffing(): void {
  $<HTMLFormElement>('staffing-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void runStaffing();
  });
  $('simulate').addEventListener('click', () => void runSimulation());
}
