// Worker bootstrap for data-parallel training shards: a worker thread does not inherit the tsx
// loader, so register it before importing the TypeScript worker (compiled builds load parallel-worker.js).
import { register } from 'tsx/esm/api';
register();
await import('./parallel-worker.ts');
