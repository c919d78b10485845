// The README's trigger examples, extracted verbatim and run against the AOT binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, testApp } from './support/server.mjs';

const run = promisify(execFile);
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const block = (language, marker) => {
  const found = [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]).find((b) => b.includes(marker));
  assert.ok(found, `README has a ${language} block with ${marker}`);
  return found;
};

let server;
let env;
before(async () => {
  server = await startServer();
  env = { ...process.env, APP_ID: testApp.id, KEY: testApp.key, SECRET: testApp.secret };
});
after(() => server.stop());

const onOurPort = (code) => code.replaceAll('localhost:5187', `127.0.0.1:${server.port}`).replaceAll("port: '5187'", `port: '${server.port}'`);

test('README curl example', async () => {
  const { stdout } = await run('bash', ['-c', onOurPort(block('bash', 'curl -X POST'))], { env });
  assert.equal(stdout.trim(), '{}');
});

test('README JavaScript example', async () => {
  const file = new URL(`./readme-example-${process.pid}.mjs`, import.meta.url).pathname;
  writeFileSync(file, onOurPort(block('js', "from 'pusher'")).replace("host: 'localhost'", "host: '127.0.0.1'"));
  try {
    const { stdout } = await run('node', [file], { env });
    assert.match(stdout, /channels/);
  } finally {
    rmSync(file);
  }
});

test('README Python example', async () => {
  const { stdout } = await run('python3', ['-c', onOurPort(block('python', 'urllib.request'))], { env });
  assert.equal(stdout.trim(), '{}');
});

test('README two-step SignalR example: the token curl, then the browser code', async () => {
  const { stdout } = await run('bash', ['-c', onOurPort(block('bash', 'signalr-token'))], { env });
  const token = JSON.parse(stdout).token;
  assert.match(token, /^eyJ/);
  const browser = onOurPort(block('js', 'signalR.HubConnectionBuilder'))
    .replace("await (await fetch('/my-backend/push-token')).json()", `{ token: ${JSON.stringify(token)} }`)
    .replaceAll('http://localhost:5187', `http://127.0.0.1:${server.port}`)
    + "\nawait connection.stop();\nconsole.log('done');\n";
  const file = new URL(`./readme-browser-${process.pid}.mjs`, import.meta.url).pathname;
  writeFileSync(file, browser);
  try {
    const { stdout: out } = await run('node', [file], { env });
    assert.match(out, /socket \d+\.\d+/);
    assert.match(out, /presence-room-1 pusher:subscription_succeeded/);
    assert.match(out, /done/);
  } finally {
    rmSync(file);
  }
});
