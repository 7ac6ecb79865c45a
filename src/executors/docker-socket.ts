/**
 * The few read-only questions a day-2 command asks the Docker engine (is it there, which containers, how does
 * one stand), sent with node:http over the engine's local socket. dockerode and what it pulls in (docker-modem,
 * ssh2, grpc-js, protobufjs) take about 0.27 s to load on this kind of machine, five times what `docker ps`
 * takes to answer; a `zkops status` that only reads should not pay that. Everything else, and every engine
 * that is not on a local socket (tcp, TLS, ssh), goes through dockerode (docker.ts).
 */
import http from 'node:http';
import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The engine's local socket as dockerode would pick it (DOCKER_HOST unix://…; else Docker Desktop's
 * ~/.docker/run/docker.sock when it exists; else /var/run/docker.sock), or undefined for a remote engine.
 */
export async function localEngineSocket(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const host = env.DOCKER_HOST;
  if (host && !host.startsWith('unix://')) return undefined;
  const given = host?.slice('unix://'.length);
  if (given) return given;
  const desktop = path.join(os.homedir(), '.docker', 'run', 'docker.sock');
  return access(desktop).then(
    () => desktop,
    () => '/var/run/docker.sock',
  );
}

/** An engine's refusal, shaped as dockerode's errors are (statusCode, the engine's message). */
export class EngineAnswer extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** GETs `apiPath` from the engine on `socketPath`; its JSON (or text) answer, or an EngineAnswer. */
export function engineGet<T>(socketPath: string, apiPath: string, timeoutMs = 30_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = http.get({ socketPath, path: apiPath, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        const json = /json/.test(res.headers['content-type'] ?? '') ? safeJson(text) : undefined;
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve((json ?? text) as T);
        const said = (json as { message?: string } | undefined)?.message ?? text.trim();
        reject(new EngineAnswer(status, `(HTTP code ${status}) ${said}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`the engine did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
