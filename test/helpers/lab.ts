/** Vitest wiring for test hosts: one lab per test file, created before its tests and removed after. */
import { afterAll, beforeAll } from 'vitest';
import { createLab, type TestLab } from './hosts.mjs';
import { workdir } from './cli.js';

/** The lab of the current test file and a working directory for zkops runs against it. */
export interface LabContext {
  lab: TestLab;
  cwd: string;
}

/**
 * Registers `count` test hosts (names zkt-<prefix>N) for the current file.
 * `ready` runs once they are up (e.g. NAT rules), `done` before teardown;
 * hosts listed in `systemd` (1-based) boot systemd like a real VM.
 */
export function useLab(
  prefix: string,
  count: number,
  hooks: { ready?: (lab: TestLab) => Promise<void>; done?: () => Promise<void>; systemd?: number[] } = {},
): LabContext {
  const ctx = {} as LabContext;
  beforeAll(async () => {
    ctx.lab = await createLab(prefix, count, { systemd: hooks.systemd });
    ctx.cwd = workdir(prefix);
    await hooks.ready?.(ctx.lab);
  });
  afterAll(async () => {
    await hooks.done?.();
    await ctx.lab?.teardown();
  });
  return ctx;
}
