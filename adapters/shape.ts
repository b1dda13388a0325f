/** The description of a series that every record of it repeats (model manifests, backtest reports). */
import type { DaySeries } from './types.js';

/** What every record of a series names about its data: zone, interval grid, window, labels, value kind. */
export function seriesShape(ds: DaySeries): Pick<DaySeries, 'zone' | 'intervalMinutes' | 'open' | 'close' | 'labels' | 'valueKind'> {
  return { zone: ds.zone, intervalMinutes: ds.intervalMinutes, open: ds.open, close: ds.close, labels: ds.labels, valueKind: ds.valueKind };
}
