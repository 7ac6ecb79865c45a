/**
 * The doctor beside the exporter, at its own slower pace (it opens the runtime: SSH sessions, the Docker
 * engine, process lists): its findings become `zkops_doctor_findings{severity}`. Loaded only when asked for,
 * so an exporter without it stays small.
 */
import type { ClusterSpec } from '../inventory/spec.js';
import type { DoctorCounts } from './collector.js';

/** Runs the doctor every `intervalMs`, keeping the latest counts. */
export class DoctorRunner {
  private latest?: DoctorCounts;
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly spec: ClusterSpec,
    private readonly intervalMs: number,
  ) {}

  /** Starts the first run now and the next ones every interval (a run still going is not doubled). */
  start(): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The latest counts (undefined before the first run ends). */
  counts(): DoctorCounts | undefined {
    return this.latest;
  }

  /** One run; its failure is kept as data (zkops_doctor_run_failed), never thrown. */
  async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const [{ withRuntime }, { runDoctor }] = await Promise.all([
        import('../runtime/index.js'),
        import('../doctor/index.js'),
      ]);
      const findings = await withRuntime(this.spec, { partial: true }, (rt) => runDoctor(rt, { fix: false }));
      const counts = { ok: 0, warning: 0, error: 0 };
      for (const f of findings) counts[f.severity]++;
      this.latest = { at: Date.now(), counts };
    } catch (err) {
      this.latest = { ...(this.latest ?? { counts: { ok: 0, warning: 0, error: 0 } }), error: (err as Error).message };
    } finally {
      this.running = false;
    }
  }
}
