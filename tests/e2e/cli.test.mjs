// The binary's own command line and first start, as a newcomer meets them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServer } from './support/server.mjs';

test('--version and --help', async () => {
  assert.match((await runCli(['--version'])).stdout, /^skubber-push \d+\.\d+\.\d+/);
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /skubber-push apps/);
  assert.match((await runCli(['apps', '--help'])).stdout, /rotate-secret/);
});

test('first start on an empty store prints generated credentials once, and they work', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skubber-first-'));
  try {
    const env = { SKUBBER_APP_ID: '', SKUBBER_APP_KEY: '', SKUBBER_APP_SECRET: '' };
    const first = await startServer({ dataDir: dir, env });
    const printed = first.output();
    const id = printed.match(/app id:\s+(\S+)/)[1];
    const key = printed.match(/key:\s+(mps_\w{32})/)[1];
    const secret = printed.match(/secret:\s+(\w{48})/)[1];
    const response = await fetch(`${first.url}/apps/${id}/events`, {
      method: 'POST', headers: { 'X-Api-Key': key, 'X-Api-Secret': secret }, body: '{"name":"e","channel":"c","data":"x"}',
    });
    assert.equal(response.status, 200);
    assert.equal((statSync(join(dir, 'skubber.db')).mode & 0o777), 0o600);
    await first.stop();

    const second = await startServer({ dataDir: dir, env });
    assert.doesNotMatch(second.output(), new RegExp(secret));
    await second.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('invalid CLI input is refused with a clear error and exit code 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skubber-cli-'));
  try {
    const bad = await runCli(['apps', 'create', '--name', 'x', '--max-connections', '-5', '--data-dir', dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-connections must be a whole number/);
    assert.deepEqual(JSON.parse((await runCli(['apps', 'list', '--json', '--data-dir', dir])).stdout), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
