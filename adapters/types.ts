/** The contract between adapters and the rest of mixcast. */

/** One local calendar day as a fixed-length vector of per-interval values. */
export interface Day {
  /** Local calendar date, ISO `YYYY-MM-DD`. */
  date: string;
  /** One value per slot, `labels.length` long, in original units. */
  values: number[];
}

export interface DayIssue {
  date: string;
  /** Machine-readable reason, e.g. `missing-slots`, `dst-spring-forward`, `dst-fall-back`, `outside-days`, `duplicates`. */
  reason: string;
  /** Human-readable explanation (which slots, how many). */
  detail: string;
  /** Number of slots concerned, where it applies. */
  slots?: number;
}

export interface IngestReport {
  rowsRead: number;
  /** Rows ignored because they fall outside the opening window or the chosen days. */
  rowsOutsideWindow: number;
  daysRead: number;
  daysKept: number;
  /** Every dropped day with its reason: nothing is dropped silently. */
  dropped: DayIssue[];
  /** Days kept after a repair (zero-fill, interpolation, DST rule, summed duplicates). */
  repaired: DayIssue[];
  /** True when open/close were inferred from the data rather than given. */
  windowInferred: boolean;
  /** Interval of the source data in minutes, as detected. */
  sourceIntervalMinutes: number;
  /** Calendar dates between the first and last day with no row at all (e.g. weekends in a weekday-only file). */
  absentDates: string[];
  /** Free-form notes shown to the user (e.g. "re-aggregated 5m → 30m by summing"). */
  notes: string[];
  /** Where the rows came from (file path), for the summary. */
  source?: string;
  /** The input shape that was read. */
  format?: InputFormat;
  /** Which ends of the window were inferred: 'open and close', 'open', 'close', or null (both given). */
  windowInferredText?: string | null;
  /** True when valueKind was inferred from the values (no --value-kind). */
  valueKindInferred?: boolean;
}

export interface DaySeries {
  /** IANA zone the local dates and slots refer to. */
  zone: string;
  intervalMinutes: number;
  /** Opening window, local `HH:MM`; close is the end of the last slot (may be `24:00`). */
  open: string;
  close: string;
  /** Local start time `HH:MM` of every slot. */
  labels: string[];
  /** Kept days in chronological order. */
  days: Day[];
  /** `counts` when every value is a non-negative integer (arrivals); `measurements` otherwise. */
  valueKind: 'counts' | 'measurements';
  /** The series chosen with --series, or null. */
  series: string | null;
  /** Holiday dates (ISO) from --holidays, carried to the calendar. */
  holidays: string[];
  /** Weekdays (luxon numbering 1 = Mon … 7 = Sun) kept by --days; all seven by default. */
  weekdays: number[];
  report: IngestReport;
}

export type InputFormat = 'counts' | 'events' | 'wide';
export type MissingPolicy = 'drop' | 'zero' | 'interpolate';

export interface IngestOptions {
  /** Path to a CSV or JSON file (JSON: an array of row objects). */
  input: string;
  format?: InputFormat; // default 'counts'
  timeCol?: string; // default: 'timestamp', else the first column whose values parse as times
  valueCol?: string; // default: the first numeric column that is not the time/series column
  seriesCol?: string;
  series?: string;
  tz?: string; // IANA zone, default 'UTC'
  interval?: string; // '5m', '6m', '15m', '30m', '1h'; default: the data's interval
  open?: string; // 'HH:MM'
  close?: string; // 'HH:MM' or '24:00'
  days?: string[]; // ['mon', 'tue', ...]
  missing?: MissingPolicy; // default 'drop'
  duplicates?: 'error' | 'sum'; // default 'error'
  holidays?: string; // a file with one ISO date per line, or a country/region code (US, IL, AU-VIC) via date-holidays
  /** 'auto' (default): counts when every value is a non-negative integer, else measurements. */
  valueKind?: 'auto' | 'counts' | 'measurements';
}

/** Several series read from one long file (`ingestMany`): one DaySeries per series, in name order. */
export interface SeriesSet {
  /** The column that names the series (`--series-col`, or `unique_id` by convention). */
  seriesCol: string;
  series: DaySeries[];
}
