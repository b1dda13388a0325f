/** Training progress on stderr: a bar on a TTY, periodic lines otherwise. */
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../train/index.js';

export function progressReporter(label: string, quiet = false): { onProgress: (e: ProgressEvent) => void; stop: () => void } {
  if (quiet) return { onProgress: () => {}, stop: () => {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} loss {loss} {sps} steps/s ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      onProgress: (e) => {
        if (!started) {
          bar.start(e.steps, 0, { loss: '-', sps: '-' });
          started = true;
        }
        bar.update(e.step, { loss: e.loss.toFixed(4), sps: e.stepsPerSec.toFixed(1) });
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = 0;
  return {
    onProgress: (e) => {
      const now = Date.now();
      if (now - last < 2000 && e.step !== e.steps) return;
      last = now;
      const val = e.valLoss !== null ? ` val ${e.valLoss.toFixed(4)}` : '';
      process.stderr.write(`${label} step ${e.step}/${e.steps} loss ${e.loss.toFixed(4)}${val} ${e.stepsPerSec.toFixed(1)} steps/s eta ${Math.round(e.etaSeconds)}s\n`);
    },
    stop: () => {},
  };
}
