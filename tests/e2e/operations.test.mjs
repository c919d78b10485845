// Running it for months: metrics, readiness, graceful drain, the operations port, TLS and logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, testApp, pusherFor, eventually, freePort, sleep } from './support/server.mjs';
import { establishedSocket, pusherJs, connected, subscribed } from './support/pusher-client.mjs';
import { issueToken, connectHub, upgradeRefusal } from './support/hub.mjs';

/** The value of one series in Prometheus text, 0 when absent. */
const metric = (text, name, labels) => {
  const prefix = `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(prefix.length)) : 0;
};
const scrape = async (url) => (await fetch(`${url}/metrics`)).text();

test('metrics move with connections, subscriptions, triggers and refusals', async () => {
  const server = await startServer();
  try {
    const pusher = await pusherFor(server);
    const before = await scrape(server.url);
    assert.match(before, /# TYPE skubber_connected gauge/);

    const raw = await establishedSocket(server);
    raw.send({ event: 'pusher:subscribe', data: { channel: 'metered' } });
    await raw.next('pusher_internal:subscription_succeeded');
    const hub = await connectHub(server, { token: await issueToken(server) });
    await hub.invoke('Subscribe', 'metered');
    const direct = await connectHub(server, { token: await issueToken(server), mode: 'direct' });
    await direct.invoke('Subscribe', 'metered');
    await pusher.trigger('metered', 'e', { n: 1 });
    await raw.next('e');
    await hub.next('e');
    await direct.next('e');

    const text = await scrape(server.url);
    assert.equal(metric(text, 'skubber_connected', 'app="1001",transport="pusher"'), 1);
    assert.equal(metric(text, 'skubber_connected', 'app="1001",transport="signalr"'), 2); // negotiated and direct
    assert.ok(metric(text, 'skubber_new_connections_total', 'app="1001",transport="pusher"') >= 1);
    assert.ok(metric(text, 'skubber_ws_messages_sent_total', 'app="1001",transport="pusher"') >= 3); // established, succeeded, e
    assert.equal(metric(text, 'skubber_ws_messages_sent_total', 'app="1001",transport="signalr"'), 4); // succeeded and e, each
    assert.ok(metric(text, 'skubber_socket_received_bytes_total', 'app="1001",transport="pusher"') > 0);
    assert.equal(metric(text, 'skubber_subscriptions', 'app="1001"'), 3);
    assert.equal(metric(text, 'skubber_occupied_channels', 'app="1001"'), 1);
    assert.ok(metric(text, 'skubber_http_calls_received_total', 'endpoint="TriggerEvent",status="200"') >= 1);
    assert.match(text, /skubber_http_request_duration_seconds_bucket\{endpoint="TriggerEvent",le="\+Inf"\} \d+/);

    raw.send({ event: 'pusher:subscribe', data: { channel: 'private-m', auth: `${testApp.key}:${createHmac('sha256', testApp.secret).update(`${raw.socketId}:private-m`).digest('hex')}` } });
    await raw.next('pusher_internal:subscription_succeeded');
    for (let i = 0; i < 12; i++) raw.send({ event: 'client-x', channel: 'private-m', data: {} });
    await raw.next((f) => f.event === 'pusher:error' && f.data.code === 4301);
    assert.ok(metric(await scrape(server.url), 'skubber_rate_limited_total', 'kind="client_events"') >= 1);

    raw.ws.close();
    await Promise.all([hub.stop(), direct.stop()]);
    await eventually(async () => metric(await scrape(server.url), 'skubber_connected', 'app="1001",transport="pusher"') === 0, 5_000, 'gauge back to 0');
    await eventually(async () => metric(await scrape(server.url), 'skubber_connected', 'app="1001",transport="signalr"') === 0, 5_000, 'hub gauge back to 0');
    assert.ok(metric(await scrape(server.url), 'skubber_new_disconnections_total', 'app="1001",transport="pusher"') >= 1);
  } finally {
    await server.stop();
  }
});

test('SIGTERM drains: /ready turns 503, Pusher sockets get 4200, hub clients a close, exit 0 in time', async () => {
  const server = await startServer({ env: { Skubber__Shutdown__GracePeriodSeconds: '4' } });
  const pusher = await pusherFor(server);
  assert.deepEqual(await (await fetch(`${server.url}/ready`)).json(), { status: 'ready' });

  const raws = await Promise.all(Array.from({ length: 20 }, () => establishedSocket(server)));
  const js = pusherJs(server, { pusher });
  await connected(js);
  await subscribed(js.subscribe('draining'));
  const states = [];
  js.connection.bind('state_change', ({ current }) => states.push(current));
  const hub = await connectHub(server, { token: await issueToken(server) });
  const direct = await connectHub(server, { token: await issueToken(server), mode: 'direct' });

  const started = Date.now();
  server.proc.kill('SIGTERM');
  const readiness = await eventually(async () => {
    const response = await fetch(`${server.url}/ready`);
    return response.status === 503 ? response.json() : null;
  }, 2_000, '/ready to turn 503');
  assert.deepEqual(readiness, { status: 'draining' });

  for (const raw of raws) {
    const error = await raw.next('pusher:error', 5_000);
    assert.equal(error.data.code, 4200);
    assert.equal((await raw.closed).code, 4200);
  }
  for (const client of [hub, direct]) assert.match(String(await client.closed), /shutting down/);
  const { code, signal } = await server.exited;
  const took = Date.now() - started;
  assert.equal(code, 0, `exit code ${code} signal ${signal}`);
  assert.ok(took < 4_500, `exited after ${took} ms, grace 4 s`);
  assert.ok(states.includes('connecting') || states.includes('unavailable'), `pusher-js tried to reconnect: ${states}`); // 4200 means come back
  js.disconnect();
});

test('a new connection during the drain is refused: Pusher 4200, a direct hub upgrade 503', async () => {
  const server = await startServer({ env: { Skubber__Shutdown__GracePeriodSeconds: '4' } });
  const holders = await Promise.all(Array.from({ length: 40 }, () => establishedSocket(server)));
  const token = await issueToken(server);
  server.proc.kill('SIGTERM');
  await eventually(async () => (await fetch(`${server.url}/ready`)).status === 503, 2_000, 'draining');
  const late = await (await import('./support/pusher-client.mjs')).rawSocket(server);
  assert.equal((await late.next('pusher:error')).data.code, 4200);
  assert.equal((await late.closed).code, 4200);
  const lateHub = await upgradeRefusal(server, { access_token: token });
  assert.equal(lateHub.status, 503);
  await Promise.all(holders.map((h) => h.closed));
  assert.equal((await server.exited).code, 0);
});

test('the operations port serves /metrics, /health and /ready; the main port does not', async () => {
  const opsPort = await freePort();
  const ops = `http://127.0.0.1:${opsPort}`;
  const server = await startServer({ env: { Skubber__OpsPort: String(opsPort) }, healthUrl: ops });
  try {
    assert.equal((await fetch(`${ops}/metrics`)).status, 200);
    assert.equal((await fetch(`${ops}/ready`)).status, 200);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
    assert.equal((await fetch(`${server.url}/apps/1001/channels`, { headers: { 'X-Api-Key': testApp.key, 'X-Api-Secret': testApp.secret } })).status, 200);
  } finally {
    await server.stop();
  }
});

test('TLS through Kestrel configuration: REST, hub and Pusher socket over https and wss', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skubber-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const port = await freePort();
  const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // a self-signed certificate made for this test
  const server = await startServer({
    args: ['--Kestrel:Endpoints:Https:Url', `https://127.0.0.1:${port}`, '--Kestrel:Endpoints:Https:Certificate:Path', join(dir, 'cert.pem'),
      '--Kestrel:Endpoints:Https:Certificate:KeyPath', join(dir, 'key.pem')],
    readyUrl: `https://127.0.0.1:${port}`,
  });
  try {
    const secure = { ...server, url: `https://127.0.0.1:${port}`, port };
    const { default: Pusher } = await import('pusher');
    const pusher = new Pusher({ appId: testApp.id, key: testApp.key, secret: testApp.secret, host: '127.0.0.1', port: String(port), useTLS: true });
    const { default: PusherJs } = await import('pusher-js');
    const js = new PusherJs(testApp.key, { cluster: 'mt1', wsHost: '127.0.0.1', wssPort: port, forceTLS: true, enabledTransports: ['ws', 'wss'], disableStats: true });
    await connected(js);
    const channel = js.subscribe('tls');
    await subscribed(channel);
    const hub = await connectHub(secure, { token: await issueToken(secure) });
    await hub.invoke('Subscribe', 'tls');
    const received = new Promise((ok) => channel.bind('over-tls', ok));
    await pusher.trigger('tls', 'over-tls', { secure: true });
    assert.deepEqual(await received, { secure: true });
    assert.equal((await hub.next('over-tls')).data, '{"secure":true}');
    js.disconnect();
    await hub.stop();
  } finally {
    await server.stop();
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no secret, token or signature appears in any log line, even at Trace', async () => {
  const server = await startServer({ env: { Logging__LogLevel__Default: 'Trace', 'Logging__LogLevel__Microsoft.AspNetCore': 'Trace' } });
  const secrets = [testApp.secret];
  try {
    const pusher = await pusherFor(server);
    await pusher.trigger('logged', 'e', { n: 1 });
    await fetch(`${server.url}/apps/1001/events?apiKey=${testApp.key}&apiSecret=${testApp.secret}`, { method: 'POST', body: '{"name":"e","channel":"c","data":"x"}' });
    const token = await issueToken(server, { userId: 'u-1', channels: ['private-*'] });
    secrets.push(token, token.split('.')[2]);
    const hub = await connectHub(server, { token, userId: 'u-1' });
    await hub.invoke('Subscribe', 'private-logged');
    await connectHub(server, { token: `${token}x` }).catch(() => null);
    const direct = await connectHub(server, { token, userId: 'u-1', mode: 'direct' });
    await direct.invoke('Subscribe', 'private-logged');
    await connectHub(server, { token: `${token}x`, mode: 'direct' }).catch(() => null);
    await direct.stop();
    const raw = await establishedSocket(server);
    const channelAuth = createHmac('sha256', testApp.secret).update(`${raw.socketId}:private-raw`).digest('hex');
    const userData = '{"id":"u-9"}';
    const userAuth = createHmac('sha256', testApp.secret).update(`${raw.socketId}::user::${userData}`).digest('hex');
    secrets.push(channelAuth, userAuth);
    raw.send({ event: 'pusher:subscribe', data: { channel: 'private-raw', auth: `${testApp.key}:${channelAuth}` } });
    raw.send({ event: 'pusher:signin', data: { auth: `${testApp.key}:${userAuth}`, user_data: userData } });
    raw.send({ event: 'pusher:subscribe', data: { channel: 'private-bad', auth: `${testApp.key}:${'ab'.repeat(32)}` } });
    await raw.next('pusher:signin_success');
    await raw.next('pusher:subscription_error');
    const signed = new URL(`${server.url}/apps/1001/channels?${new URLSearchParams({ auth_key: testApp.key, auth_timestamp: '1', auth_version: '1.0', auth_signature: 'f'.repeat(64) })}`);
    await fetch(signed);
    secrets.push('f'.repeat(64));
    raw.ws.close();
    await hub.stop();
  } finally {
    await server.stop();
  }
  const output = server.output();
  assert.ok(output.length > 2_000, 'Trace logging produced output');
  for (const secret of secrets) assert.ok(!output.includes(secret), `a log line contains ${secret.slice(0, 12)}…`);
});

test('JSON logs: one JSON object per line', async () => {
  const server = await startServer({ env: { Skubber__LogFormat: 'json', Logging__LogLevel__Default: 'Information' } });
  await server.stop();
  const lines = server.output().trim().split('\n').filter(Boolean);
  assert.ok(lines.length > 0);
  for (const line of lines) assert.ok(JSON.parse(line).Category, line);
});

test('after start the executable hands back its dehydrated type data: those pages are no longer resident', async () => {
  const server = await startServer({ env: { 'Logging__LogLevel__SkubberPush.Hosting.DehydratedDataRelease': 'Debug' } });
  try {
    const line = await eventually(() => server.output().match(/Released (\d+) KB of start-up type data at ([0-9a-f]+)-([0-9a-f]+)/), 5_000, 'the release log line');
    const [kilobytes, start, end] = [Number(line[1]), BigInt(`0x${line[2]}`), BigInt(`0x${line[3]}`)];
    assert.ok(kilobytes > 1_000, `${kilobytes} KB released`);
    assert.equal((end - start) / 1024n, BigInt(kilobytes));
    // /proc/PID/pagemap: one 64-bit entry per virtual page; bit 63 says the page is resident.
    const pages = Number((end - start) / 4096n);
    const entries = Buffer.alloc(pages * 8);
    const pagemap = openSync(`/proc/${server.proc.pid}/pagemap`, 'r');
    try {
      readSync(pagemap, entries, 0, entries.length, Number(start / 4096n) * 8);
    } finally {
      closeSync(pagemap);
    }
    let resident = 0;
    for (let i = 0; i < pages; i++) if (entries.readBigUInt64LE(i * 8) >> 63n) resident++;
    assert.equal(resident, 0, `${resident} of ${pages} released pages are resident`);
    // Still serving: the released copy was not needed.
    const pusher = await pusherFor(server);
    assert.equal((await pusher.trigger('after-release', 'e', { n: 1 })).status, 200);
  } finally {
    await server.stop();
  }
});
