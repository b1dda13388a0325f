/**
 * The context package's entry (what is known at the forecast origin: features, conditional
 * centers, paths); other layers import it from here.
 */
export * from './features.js';
export { HISTORY_DAYS } from './train.js';
export { levelWeights, type LevelWeight } from './report.js';
