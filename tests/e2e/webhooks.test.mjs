// Webhooks end to end: validated with the official library, grace window, durability, dead letters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer, testApp, pusherFor, eventually, sleep, freePort } from './support/server.mjs';
import { establishedSocket } from './support/pusher-client.mjs';
import { startReceiver } from './support/webhook-receiver.mjs';
import { issueToken, connectHub } from './support/hub.mjs';

const sign = (text) => createHmac('sha256', testApp.secret).update(text).digest('hex');
const fast = { Skubber__Webhooks__VacateDelaySeconds: '1', Skubber__AppRefreshMilliseconds: '100' };

async function webhookServer(receiverUrl, env = {}, events) {
  const server = await startServer({ env: { ...fast, ...env } });
  const args = ['apps', 'update', '1001', '--webhook', receiverUrl, ...(events ? ['--webhook-events', events] : [])];
  assert.equal((await server.cli(...args)).code, 0);
  await sleep(400); // the server picks the change up within its refresh interval
  return server;
}

async function join(server, channel, member) {
  const s = await establishedSocket(server);
  const data = member ? JSON.stringify(member) : undefined;
  s.send({ event: 'pusher:subscribe', data: { channel, auth: `${testApp.key}:${sign(`${s.socketId}:${channel}${data ? `:${data}` : ''}`)}`, ...(data ? { channel_data: data } : {}) } });
  await s.next('pusher_internal:subscription_succeeded');
  return s;
}

test('every webhook verifies with the official library; presence, client events, cache miss, counts', async () => {
  const receiver = await startReceiver();
  const server = await webhookServer(receiver.url);
  try {
    const pusher = await pusherFor(server);
    const ada = await join(server, 'presence-hooks', { user_id: 'u-ada' });
    const bob = await join(server, 'presence-hooks', { user_id: 'u-bob' });
    ada.send({ event: 'client-typing', channel: 'presence-hooks', data: { typing: true } });
    const cache = await establishedSocket(server);
    cache.send({ event: 'pusher:subscribe', data: { channel: 'cache-empty' } });
    await cache.next('pusher:cache_miss');
    const plain = await join(server, 'counted');
    bob.ws.close();
    await eventually(() => receiver.events().some((e) => e.name === 'member_removed'), 5_000, 'member_removed');

    for (const request of receiver.requests) {
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.httpVersion, '1.1');
      assert.ok(request.rawHeaders.includes('X-Pusher-Key') && request.rawHeaders.includes('X-Pusher-Signature'), 'header names cased as Pusher sends them');
      assert.match(request.headers['x-skubber-webhook-id'], /^[0-9a-f]{32}$/);
      assert.equal(pusher.webhook({ headers: request.headers, rawBody: request.rawBody }).isValid(), true);
    }
    const events = receiver.events();
    const find = (name, extra = {}) => events.find((e) => e.name === name && Object.entries(extra).every(([k, v]) => e[k] === v));
    assert.ok(find('channel_occupied', { channel: 'presence-hooks' }));
    assert.ok(find('member_added', { channel: 'presence-hooks', user_id: 'u-ada' }));
    assert.ok(find('member_added', { channel: 'presence-hooks', user_id: 'u-bob' }));
    assert.deepEqual(find('client_event'), { name: 'client_event', channel: 'presence-hooks', event: 'client-typing', data: '{"typing":true}', socket_id: ada.socketId, user_id: 'u-ada' });
    assert.ok(find('cache_miss', { channel: 'cache-empty' }));
    assert.ok(find('subscription_count', { channel: 'counted', subscription_count: 1 }));
    assert.ok(find('member_removed', { channel: 'presence-hooks', user_id: 'u-bob' }));
    assert.ok(!find('channel_vacated', { channel: 'presence-hooks' }));
    for (const s of [ada, cache, plain]) s.ws.close();
  } finally {
    await server.stop();
    await receiver.close();
  }
});

test('grace window: a reload produces nothing; leaving produces vacated once', async () => {
  const receiver = await startReceiver();
  const server = await webhookServer(receiver.url, {}, 'channel_occupied,channel_vacated,member_added,member_removed');
  try {
    const first = await join(server, 'presence-reload', { user_id: 'u-1' });
    await eventually(() => receiver.events().length === 2, 5_000, 'occupied and member_added');
    first.ws.close(); // page reload: gone and back within the grace period
    await first.closed;
    const second = await join(server, 'presence-reload', { user_id: 'u-1' });
    await sleep(1_800);
    assert.deepEqual(receiver.events().map((e) => e.name), ['channel_occupied', 'member_added']);
    second.ws.close(); // leaving for good
    await eventually(() => receiver.events().length === 4, 5_000, 'vacated and member_removed');
    await sleep(500);
    assert.deepEqual(receiver.events().map((e) => e.name).sort(), ['channel_occupied', 'channel_vacated', 'member_added', 'member_removed']);
  } finally {
    await server.stop();
    await receiver.close();
  }
});

test('durable: receiver down, server restarted, receiver up — every event arrives, duplicates only with one id', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/webhooks`;
  let server = await webhookServer(url, {}, 'channel_occupied,channel_vacated');
  const dataDir = server.dataDir;
  const channels = Array.from({ length: 5 }, (_, i) => `durable-${i}`);
  const sockets = [];
  for (const channel of channels) sockets.push(await join(server, channel));
  for (const s of sockets) s.ws.close();
  await sleep(300);
  await server.stop({ keepData: true }); // SIGTERM: held vacated events go to the outbox at once

  server = await startServer({ dataDir, env: fast });
  const receiver = await startReceiver({ port });
  try {
    await eventually(() => receiver.events().length >= 10, 20_000, `all 10 events (got ${receiver.events().length})`);
    const names = receiver.events().map((e) => `${e.name}:${e.channel}`).sort();
    assert.deepEqual([...new Set(names)], channels.flatMap((c) => [`channel_occupied:${c}`, `channel_vacated:${c}`]).sort());
    const byId = new Map();
    for (const r of receiver.requests) {
      const id = r.headers['x-skubber-webhook-id'];
      if (byId.has(id)) assert.equal(byId.get(id), r.rawBody, 'a duplicate has the same id and body');
      byId.set(id, r.rawBody);
    }
    assert.equal(new Set([...byId.values()].flatMap((b) => JSON.parse(b).events.map((e) => `${e.name}:${e.channel}`))).size, 10);
  } finally {
    await server.stop();
    await receiver.close();
  }
});

test('dead letters after the retry window, listed by the CLI, and replayed', async () => {
  const receiver = await startReceiver({ behavior: 'fail' });
  const server = await webhookServer(receiver.url, { Skubber__Webhooks__RetryWindowSeconds: '2' }, 'channel_occupied');
  try {
    const s = await join(server, 'doomed');
    await eventually(async () => JSON.parse((await server.cli('apps', 'webhooks', '1001', '--json')).stdout).some((d) => d.status === 'dead'), 10_000, 'a dead letter');
    const [dead] = JSON.parse((await server.cli('apps', 'webhooks', '1001', '--json')).stdout).filter((d) => d.status === 'dead');
    assert.equal(dead.last_status, 500);
    assert.ok(dead.attempts >= 2, `retried ${dead.attempts} times`);
    assert.match((await server.cli('apps', 'webhooks', '1001')).stdout, /Dead letters \(1\)/);

    receiver.behavior = 'ok';
    const before = receiver.requests.length;
    assert.match((await server.cli('apps', 'webhooks', '1001', '--replay')).stdout, /1 dead webhooks/);
    await eventually(() => receiver.requests.length > before && receiver.requests.at(-1).headers['x-skubber-webhook-id'] === dead.id, 5_000, 'the replayed request');
    await eventually(async () => JSON.parse((await server.cli('apps', 'webhooks', '1001', '--json')).stdout).find((d) => d.id === dead.id).status === 'delivered', 5_000, 'delivered');
    s.ws.close();
  } finally {
    await server.stop();
    await receiver.close();
  }
});

test('a hanging, redirecting or huge-answering receiver slows no other app', async () => {
  const bad = await startReceiver({ behavior: 'hang' });
  const good = await startReceiver();
  const server = await webhookServer(bad.url, { Skubber__Webhooks__TimeoutSeconds: '1' }, 'channel_occupied');
  try {
    const other = JSON.parse((await server.cli('apps', 'create', '--name', 'good', '--id', 'good', '--json')).stdout);
    await server.cli('apps', 'update', 'good', '--webhook', good.url, '--webhook-events', 'channel_occupied');
    await sleep(400);
    for (let i = 0; i < 20; i++) (await join(server, `hang-${i}`)).ws.close();
    const started = Date.now();
    const s = await establishedSocket(server, { key: other.key });
    s.send({ event: 'pusher:subscribe', data: { channel: 'fine' } });
    await eventually(() => good.events().some((e) => e.channel === 'fine'), 3_000, 'the good app\'s webhook');
    assert.ok(Date.now() - started < 3_000);
    const hung = JSON.parse((await server.cli('apps', 'webhooks', '1001', '--json')).stdout);
    await eventually(async () => JSON.parse((await server.cli('apps', 'webhooks', '1001', '--json')).stdout).some((d) => /no response within 1 s/.test(d.last_error ?? '')), 5_000, 'a timeout recorded');

    bad.behavior = 'redirect';
    await eventually(async () => JSON.parse((await server.cli('apps', 'webhooks', '1001', '--json')).stdout).some((d) => d.last_status === 302), 10_000, 'a redirect recorded as a failure');
    bad.behavior = 'huge';
    await eventually(async () => JSON.parse((await server.cli('apps', 'webhooks', '1001', '--json')).stdout).some((d) => d.status === 'delivered'), 15_000, 'delivered despite a 20 MB answer');
    assert.ok(hung.length > 0);
    s.ws.close();
  } finally {
    await server.stop();
    await bad.close();
    await good.close();
  }
});
