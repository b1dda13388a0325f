/**
 * The model package's entry: a trained model (MixcastModel, the Predictor the forecast layer
 * samples from), its bundle on disk (save/load, crash-safe store, writer lock), per-series
 * collections and the manifest schema. Other layers import the model package from here.
 */
export { MixcastModel, preconditionerOf, sharedNetInputs, type SampleDaysOptions } from './model.js';
export { saveModel, loadModel, readManifest, checkManifestConsistency, type SaveOptions } from './bundle.js';
export { checkBundleTarget, lockBundle, cleanLeftovers, isBundle, isSaveLeftover, type BundleLock, type TargetState } from './store.js';
export {
  COLLECTION_FILE, COLLECTION_FORMAT, COLLECTION_SCHEMA_VERSION, collectionIndexSchema, seriesSlug, isCollection, readCollection,
  resolveSeries, seriesBundleDir, indexEntry, checkCollectionTarget, stagingDir, commitCollection,
  COLLECTION_KINDS, type CollectionIndex, type CollectionSeries, type Collection, type CollectionKind,
} from './collection.js';
export { GlobalModel, writeGlobalModel, saveGlobalModel, loadGlobalModel, loadSeriesModels, type SeriesModels } from './global.js';
export { SCHEMA_VERSION, FORMAT, manifestSchema, type Manifest } from './manifest.js';
