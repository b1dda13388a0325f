// Unit thread bootstrap from the TypeScript sources: a worker thread does not inherit the tsx
// loader, so register it before importing thread.ts (compiled builds start thread.js directly).
import { register } from 'tsx/esm/api';
register();
await import('./thread.ts');
