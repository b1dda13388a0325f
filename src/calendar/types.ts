/** Calendar keys: the structure a mixture prior is placed on. */

/** Hemispheres for the season key: the one list behind the type, `--hemisphere` and the schemas. */
export const HEMISPHERES = ['north', 'south'] as const;
export type Hemisphere = (typeof HEMISPHERES)[number];

export type KeyName = 'weekday' | 'daytype' | 'month' | 'season' | 'holiday';

export interface CalendarOptions {
  /** Weekend days, luxon numbering (1 = Mon … 7 = Sun). Default [6, 7]; Israel: [5, 6]. */
  weekend: number[];
  hemisphere: Hemisphere;
  /** Holiday dates, ISO. */
  holidays: string[];
  /** Keys with fewer training days than this merge into their coarser parent. Default 8. */
  minDays: number;
}

/** A recorded merge of a sparse key into its parent. */
export interface KeyMerge {
  from: string;
  to: string;
  days: number;
  reason: string;
}

/** The result of keying a set of training dates by a spec. */
export interface KeyAssignment {
  spec: string;
  /** Final (possibly merged) key per input date, same order. */
  keys: string[];
  /** Raw key → final key, for every raw key seen in training. */
  keyMap: Record<string, string>;
  merges: KeyMerge[];
  /** Final key → number of training days. */
  counts: Record<string, number>;
}
