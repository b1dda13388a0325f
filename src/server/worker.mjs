// Worker bootstrap: a worker thread does not inherit the tsx loader registered by bin/mixcast.js,
// so register it here before importing the TypeScript worker (harmless when `--import tsx` already ran).
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
