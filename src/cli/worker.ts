/** `mixcast worker`: run batch units (and assemble batches) from Redis, on any machine that mounts the models folder. */
import type { Command } from 'commander';
import os from 'node:os';
import { startUnitRunner, startWorker } from '../jobs/index.js';
import { action, addBackendOption, log } from './common.js';
import { int, redisUrl } from './options.js';

export function register(program: Command): void {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const cmd = program
    .command('worker')
    .description('run batch jobs from Redis (BullMQ): units on N threads, batches assembled when their units are done')
    .option('--redis <url>', 'Redis URL (env MIXCAST_REDIS_URL)')
    .requiredOption('--models <dir>', 'the models folder, mounted at the same place for the server and every worker')
    .option('--concurrency <n>', `units run at once, one thread each (default: the cores, here ${cores})`, int('--concurrency', 1, 1024), cores)
    .option('--prefix <name>', 'Redis key prefix (the same on server, workers and batch)', 'mixcast')
    .option('--lock-ms <ms>', 'job lock duration: a worker silent this long is presumed dead and its unit runs again elsewhere', int('--lock-ms', 1000, 3_600_000), 30_000)
    .option('--stalled-ms <ms>', 'how often to look for units of dead workers', int('--stalled-ms', 500, 3_600_000), 30_000);
  addBackendOption(cmd);
  cmd.action(
    action(async (opts: Record<string, unknown>) => {
      const url = redisUrl(opts, true)!;
      const root = String(opts.models);
      const units = await startUnitRunner(opts.concurrency as number, root, (opts.backend as string | undefined) ?? process.env.MIXCAST_BACKEND);
      const w = await startWorker({
        url,
        prefix: String(opts.prefix),
        root,
        units,
        lockDurationMs: opts.lockMs as number,
        stalledIntervalMs: opts.stalledMs as number,
        onEvent: (m) => log(m),
      });
      log(`worker ready: ${units.size} unit thread(s), models ${root}, redis ${url.replace(/\/\/[^@]*@/, '//***@')}, prefix ${String(opts.prefix)}`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log(`${signal}: finishing running units, then exiting`);
        w.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      await new Promise(() => undefined);
    }),
  );
}
