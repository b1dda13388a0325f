/**
 * Library errors name fields (`steps must be …`, details.field = 'steps'); the CLI rewords them
 * with the flag that sets the field (`--steps must be …`) through one table (src/cli/flags.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFitOptions, defaultFitOptions, type FitOptions } from '../src/train/fit.js';
import { discoverModels } from '../src/server/models.js';
import { MixcastError, isMixcastError } from '../src/core/errors.js';
import { FIELD_FLAGS, withFlagNames } from '../src/cli/flags.js';

function fieldError(fn: () => unknown): MixcastError {
  try {
    fn();
  } catch (e) {
    if (isMixcastError(e)) return e;
    throw e;
  }
  assert.fail('no error thrown');
}

test('fitModel option errors name the field, not a flag', () => {
  const cases: [Partial<FitOptions>, string][] = [
    [{ steps: 0 }, 'steps'],
    [{ batch: 1.5 }, 'batch'],
    [{ T: 1 }, 'T'],
    [{ hidden: 0 }, 'hidden'],
    [{ lr: 2 }, 'lr'],
    [{ validation: 0.95 }, 'validation'],
    [{ scale: 0 }, 'scale'],
  ];
  for (const [bad, field] of cases) {
    const e = fieldError(() => checkFitOptions({ ...defaultFitOptions, ...bad }));
    assert.equal(e.code, 'BAD_OPTION');
    assert.ok(e.message.startsWith(`${field} must be`), e.message);
    assert.doesNotMatch(e.message, /--/);
    assert.equal((e.details as { field: string }).field, field);
    // the CLI's wording of the same error
    const flagged = withFlagNames(e) as MixcastError;
    assert.ok(flagged.message.startsWith(`${FIELD_FLAGS[field]} must be`), flagged.message);
  }
});

test('server start-up errors name the models field; the CLI says --models', () => {
  const e = fieldError(() => discoverModels('/nonexistent-mixcast-models'));
  assert.match(e.message, /^models \/nonexistent-mixcast-models is not a directory/);
  assert.match((withFlagNames(e) as Error).message, /^--models \/nonexistent-mixcast-models is not a directory/);
});

test('an error without a known field, or not starting with it, is left as it is', () => {
  const a = new MixcastError('BAD_OPTION', 'something else went wrong', { field: 'steps' });
  assert.equal(withFlagNames(a), a);
  const b = new MixcastError('BAD_OPTION', 'wobble must be round', { field: 'wobble' });
  assert.equal(withFlagNames(b), b);
  const c = new Error('plain');
  assert.equal(withFlagNames(c), c);
});
