import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localEngineSocket } from '../../src/executors/docker-socket.js';

describe("the engine's local socket, as dockerode would pick it", () => {
  it('takes DOCKER_HOST unix:// paths, leaves remote engines to dockerode, and defaults like the docker CLI', async () => {
    expect(await localEngineSocket({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toBe(
      '/run/user/1000/docker.sock',
    );
    expect(await localEngineSocket({ DOCKER_HOST: 'tcp://10.0.0.5:2376' })).toBeUndefined();
    expect(await localEngineSocket({ DOCKER_HOST: 'ssh://ops@build-1' })).toBeUndefined();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'zkops-home-'));
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      expect(await localEngineSocket({})).toBe('/var/run/docker.sock');
      fs.mkdirSync(path.join(home, '.docker', 'run'), { recursive: true });
      fs.writeFileSync(path.join(home, '.docker', 'run', 'docker.sock'), '');
      expect(await localEngineSocket({})).toBe(path.join(home, '.docker', 'run', 'docker.sock'));
    } finally {
      process.env.HOME = saved;
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
