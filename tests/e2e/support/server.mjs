// Starts the published AOT binary on a free loopback port with a temp data dir, as a user would.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const binary = resolve(process.env.SKUBBER_BIN ?? new URL('../../../artifacts/publish/skubber-push', import.meta.url).pathname);

// A 48-character secret, like generated ones: long enough for the hub's HS256 tokens.
export const testApp = { id: '1001', key: 'skb-test-key', secret: 'skb-test-secret-0123456789abcdefghijklmnopqrstuv' };

export async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

export async function startServer({ env = {}, args = [], dataDir, readyUrl, healthUrl } = {}) {
  const port = await freePort();
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'skubber-e2e-'));
  const output = [];
  const listen = readyUrl ? [] : ['--urls', `http://127.0.0.1:${port}`];
  const proc = spawn(binary, [...listen, '--data-dir', dir, ...args], {
    env: {
      ...process.env,
      SKUBBER_APP_ID: testApp.id,
      SKUBBER_APP_KEY: testApp.key,
      SKUBBER_APP_SECRET: testApp.secret,
      Logging__LogLevel__Default: 'Warning',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (d) => output.push(d.toString()));
  proc.stderr.on('data', (d) => output.push(d.toString()));
  const exited = new Promise((ok) => proc.once('exit', (code, signal) => ok({ code, signal })));
  const url = readyUrl ?? `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early:\n${output.join('')}`);
    try {
      if ((await fetch(`${healthUrl ?? url}/health`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() - started > 15_000) throw new Error(`server did not start:\n${output.join('')}`);
    await sleep(20);
  }
  return {
    url, port, host: '127.0.0.1', dataDir: dir, proc, exited,
    output: () => output.join(''),
    cli: (...cliArgs) => runCli([...cliArgs, '--data-dir', dir]),
    async stop({ keepData = false } = {}) {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
      if (!keepData && !dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function runCli(args) {
  try {
    const { stdout, stderr } = await promisify(execFile)(binary, args);
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Polls until check() returns a truthy value, or fails after timeoutMs. */
export async function eventually(check, timeoutMs = 5_000, what = 'condition') {
  const started = Date.now();
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) { last = e; }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}: ${last}`);
    await sleep(25);
  }
}

/** The official `pusher` server library pointed at this server: only host and port differ from Pusher. */
export async function pusherFor(server, app = testApp) {
  const { default: Pusher } = await import('pusher');
  return new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
}
