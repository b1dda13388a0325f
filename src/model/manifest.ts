/** The model bundle's manifest: a versioned JSON schema (zod) describing everything but the weights. */
import { z } from 'zod';
import { FAMILIES, SCHEDULES, SKIP_MODES } from '../diffusion/index.js';
import { CONDITION_MODES } from '../nn/denoiser.js';
import { TRANSFORM_KINDS } from '../transform/index.js';
import { HEMISPHERES } from '../calendar/types.js';
import { LEVEL_STATISTICS } from '../context/features.js';

export const SCHEMA_VERSION = 1;
export const FORMAT = 'mixcast-model';

const num = z.number();
const numArr = z.array(num);
const skipBasisSchema = z.object({ U: z.array(numArr), lambda: numArr, shrinkage: num });

export const manifestSchema = z.object({
  format: z.literal(FORMAT),
  schemaVersion: z.number().int(),
  packageVersion: z.string(),
  createdAt: z.string(),
  process: z.object({
    family: z.enum(FAMILIES),
    T: z.number().int(),
    schedule: z.enum(SCHEDULES),
    betaMin: num,
    betaMax: num,
    sigmaMin: num,
    sigmaMax: num,
  }),
  network: z.object({
    d: z.number().int().positive(),
    hidden: z.number().int().positive(),
    blocks: z.number().int().nonnegative(),
    timeDim: z.number().int().positive(),
    components: z.number().int().positive(),
    condition: z.enum(CONDITION_MODES),
    /** Read only, from bundles written before `preconditioner` existed: the skip flag. */
    skip: z.boolean().optional(),
    /** Width of the context input u (0/absent: none). */
    contextDim: z.number().int().nonnegative().optional(),
    /** Read only, as `skip`: the covariance basis (absent = Σ = I). */
    skipBasis: skipBasisSchema.optional(),
  }),
  /**
   * The Preconditioner's saved part: the Gaussian skip (Σ = U diag(λ) Uᵀ for `covariance`).
   * Absent in bundles of this schema version written before it existed; then `network.skip` and
   * `network.skipBasis` say the same (see `preconditionerOf` in model.ts).
   */
  preconditioner: z.object({ skip: z.enum(SKIP_MODES), basis: skipBasisSchema.optional() }).optional(),
  weights: z.object({
    file: z.string(),
    bytes: z.number().int(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    layout: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()) })),
  }),
  transform: z.object({ kind: z.enum(TRANSFORM_KINDS), mean: numArr, std: numArr, counts: z.boolean() }),
  prior: z.unknown(),
  calendar: z.object({
    options: z.object({
      weekend: z.array(z.number().int()),
      hemisphere: z.enum(HEMISPHERES),
      holidays: z.array(z.string()),
      minDays: z.number().int(),
    }),
    keySpec: z.string(),
    keyMap: z.record(z.string(), z.string()),
    merges: z.array(z.object({ from: z.string(), to: z.string(), days: z.number(), reason: z.string() })),
    counts: z.record(z.string(), z.number()),
  }),
  data: z.object({
    zone: z.string(),
    intervalMinutes: num,
    open: z.string(),
    close: z.string(),
    labels: z.array(z.string()),
    valueKind: z.enum(['counts', 'measurements']),
    series: z.string().nullable(),
    weekdays: z.array(z.number().int()),
    days: z.number().int(),
    firstDate: z.string(),
    lastDate: z.string(),
    fingerprint: z.string(),
    /** Model-space bounds used to clip the denoised estimate while sampling. */
    bounds: z.object({ lo: numArr, hi: numArr }),
    /** Per training day: date and component (for backtests and audits). */
    dayComponents: z.array(z.tuple([z.string(), z.number().int()])),
  }),
  sampling: z.object({ sampler: z.string(), inpaintJumps: z.number().int().positive() }),
  /**
   * Conditional centers c(k, u) = c_k + B·ũ (src/context): how u is built, its standardisation,
   * B (m × d), how the penalties were chosen, and the tail of the training history (daily
   * totals, and the day vectors of the last weeks) that gives the context at the default origin.
   * Absent: an unconditional model.
   */
  context: z
    .object({
      spec: z.object({
        windows: z.array(z.number().int().positive()),
        leadBands: z.array(z.number().int().positive()),
        maxLead: z.number().int().positive(),
        covariates: z.array(z.string()),
        level: z.enum(LEVEL_STATISTICS).optional(),
      }),
      keyLogMean: z.record(z.string(), num),
      overallLogMean: num,
      mean: numArr,
      std: numArr,
      B: z.array(numArr),
      selection: z.array(
        z.object({
          group: z.string(),
          penalty: num.nullable(),
          validation: z.array(z.object({ penalty: num.nullable(), mse: num })),
        }),
      ),
      pairs: z.number().int(),
      /** Indices of u's features left out by the cross-validation (ũ = 0 for them). */
      ignored: z.array(z.number().int().nonnegative()).optional(),
      /** Bound on one day's log-level deviation before the windows (absent: none). */
      clip: num.optional(),
      /** Per lead band: sd (log units) of the scenario-wide level factor at that lead (absent: 0). */
      levelSd: numArr.optional(),
      /** Reverse effort E‖x0 − c‖² over the training pairs around c_k and around c(k, u). */
      effort: z.object({ mixture: num, conditional: num }),
      history: z.array(z.object({ date: z.string(), total: num, values: numArr.optional() })),
    })
    .optional(),
  /**
   * One series of a global model (src/model/global.ts). The network, process, preconditioner and
   * weights file (`../../weights-….bin`, at the top of the collection) are shared by all series;
   * the network's components are every series' components one after another (this series' start
   * at `componentOffset`), and its context input starts with a one-hot of the series
   * (`seriesCount` wide) followed by this model's own context u. Absent: an ordinary bundle.
   */
  shared: z
    .object({
      kind: z.literal('global'),
      series: z.number().int().nonnegative(),
      seriesCount: z.number().int().min(2),
      componentOffset: z.number().int().nonnegative(),
    })
    .optional(),
  training: z.object({
    steps: z.number().int(),
    requestedSteps: z.number().int(),
    batch: z.number().int(),
    lr: num,
    seed: num,
    seconds: num,
    stepsPerSec: num,
    backend: z.string(),
    finalLoss: num,
    finalValLoss: num.nullable(),
    bestValLoss: num.nullable(),
    stoppedEarly: z.boolean(),
    trainDays: z.number().int(),
    valDays: z.number().int(),
    reverseEffort: z.object({ standard: num, mixture: num, reduction: num, sumPkCk2: num, d: num }),
    lossCurve: z.array(z.object({ step: z.number().int(), loss: num, valLoss: num.nullable() })),
    /** A warm start: the model the network's weights started from (absent: a seeded draw). */
    warmStart: z.object({ fingerprint: z.string(), firstDate: z.string(), lastDate: z.string(), days: z.number().int(), steps: z.number().int() }).optional(),
  }),
});

export type Manifest = z.infer<typeof manifestSchema>;
