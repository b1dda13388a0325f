/** `mixcast serve`: the HTTP scenario service over one or more model bundles. */
import type { Command } from 'commander';
import { startServer, defaultWorkers, DEFAULT_SERVER_LIMITS } from '../server/index.js';
import { action, addBackendOption, log } from './common.js';
import { bodyLimit, host, int } from './options.js';

export function register(program: Command): void {
  const L = DEFAULT_SERVER_LIMITS;
  const cmd = program
    .command('serve')
    .description('serve scenarios, forecasts and what-if batches over HTTP (see GET /openapi.json)')
    .requiredOption('--models <dir>', 'a model bundle, or a folder with one bundle per subdirectory (the model id is the subdirectory name)')
    .option('--port <n>', 'port (0 = any free port)', int('--port', 0, 65535), 8080)
    .option('--host <addr>', 'address to listen on (IPv4, IPv6 or a host name)', host, '127.0.0.1')
    .option('--workers <n>', `generation worker threads (default: the cores, here ${defaultWorkers()}; 0 = on the request thread)`, int('--workers', 0, 256))
    .option('--max-count <n>', 'most scenarios per date in one request', int('--max-count', 1, 1_000_000), L.maxCount)
    .option('--max-dates <n>', 'most dates in one request', int('--max-dates', 1, 3660), L.maxDates)
    .option('--max-values <n>', 'most values (count × dates × intervals) in one request', int('--max-values', 1, 1_000_000_000), L.maxValues)
    .option('--body-limit <size>', 'largest request body, e.g. 256kb, 1mb (at most 64mb)', bodyLimit, L.bodyLimit)
    .option('--redis <url>', 'batch jobs (/v1/jobs) through Redis workers (BullMQ; env MIXCAST_REDIS_URL); without it they run in this process')
    .option('--redis-prefix <name>', 'Redis key prefix for batch jobs', 'mixcast')
    .option('--timeout <ms>', 'per-request time limit in ms (then 503)', int('--timeout', 1, 86_400_000), L.timeoutMs)
    .option('--max-work <n>', 'most sampler evaluations (count × dates × sampler steps) in one request', int('--max-work', 1, 1e12), L.maxWork)
    .option('--max-sampler-steps <n>', 'most steps a request may ask of its sampler', int('--max-sampler-steps', 1, 100_000), L.maxSamplerSteps);
  addBackendOption(cmd);
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      const port = opts.port as number;
      const workers = opts.workers as number | undefined;
      const running = await startServer({
        models: String(opts.models),
        port,
        host: String(opts.host),
        workers,
        backend: (opts.backend as string | undefined) ?? process.env.MIXCAST_BACKEND,
        redis: (opts.redis as string | undefined) ?? (process.env.MIXCAST_REDIS_URL || null),
        redisPrefix: String(opts.redisPrefix ?? 'mixcast'),
        limits: {
          maxCount: opts.maxCount as number,
          maxDates: opts.maxDates as number,
          maxValues: opts.maxValues as number,
          bodyLimit: String(opts.bodyLimit),
          timeoutMs: opts.timeout as number,
          maxWork: opts.maxWork as number,
          maxSamplerSteps: opts.maxSamplerSteps as number,
        },
      });
      const stats = running.executor.stats();
      log(`backend ${running.backend ?? 'unknown'} (${stats.mode === 'workers' ? `${stats.size} worker threads` : 'request thread'})`);
      log(`models: ${[...(await listModels(running.url))].join(', ')}`);
      log(`listening on ${running.url}${process.env.MIXCAST_API_TOKEN ? ' (bearer token required on /v1)' : ''}`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log(`${signal}: finishing ${running.state.inFlight} in-flight request(s), then exiting`);
        running.close().then(
          () => {
            log('stopped');
            process.exit(0);
          },
          (e) => {
            log(`error while stopping: ${(e as Error).message}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    }),
  );
}

async function listModels(url: string): Promise<string[]> {
  const r = await fetch(`${url}/healthz`);
  const j = (await r.json()) as { models: string[] };
  return j.models;
}
