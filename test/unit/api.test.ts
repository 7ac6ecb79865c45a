/**
 * The package's programmatic API as the README shows it: `import { ... } from 'zkops'` resolves (through the
 * package's own exports, to the built dist/) to the operations and their event helpers.
 */
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

it("import { deploy, status, restart, ... } from 'zkops' gives the operations", () => {
  const names = [
    'init',
    'deploy',
    'status',
    'start',
    'stop',
    'restart',
    'doctor',
    'backup',
    'restore',
    'bundle',
    'destroy',
    'readLogs',
    'smoke',
    'list',
    'get',
    'certsList',
    'adopt',
    'recordingSink',
    'AbortedError',
  ];
  // A separate Node process, as a user's script: the package's name, not a path into the source.
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import('zkops'); console.log(JSON.stringify(${JSON.stringify(names)}.map((n) => [n, typeof m[n]])))`,
    ],
    { encoding: 'utf8' },
  );
  expect(Object.fromEntries(JSON.parse(out))).toEqual(Object.fromEntries(names.map((n) => [n, 'function'])));
});
