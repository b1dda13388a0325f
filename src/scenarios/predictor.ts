/**
 * Saving and loading a Predictor (the type is in plan.ts: manifest-derived info + `sampleDays`).
 * A MixcastModel is a Predictor; its bundle format is src/model/bundle.ts.
 */
import { loadModel, saveModel, type SaveOptions } from '../model/bundle.js';
import type { MixcastModel } from '../model/model.js';
import type { Manifest } from '../model/manifest.js';

/** Write a fitted model's bundle to `dir` (atomic; refuses to overwrite what it did not write). */
export const savePredictor = (predictor: MixcastModel, dir: string, options?: SaveOptions): Promise<Manifest> => saveModel(predictor, dir, options);

/** Load a bundle as a Predictor (call `dispose()` when done). */
export const loadPredictor = (dir: string): MixcastModel => loadModel(dir);
