// Per-app limits and quotas on every transport they apply to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer, testApp, pusherFor, sleep } from './support/server.mjs';
import { establishedSocket } from './support/pusher-client.mjs';
import { issueToken, connectHub, buildHub, upgradeRefusal } from './support/hub.mjs';

const sign = (text) => createHmac('sha256', testApp.secret).update(text).digest('hex');

async function limited(...flags) {
  const server = await startServer({ env: { Skubber__AppRefreshMilliseconds: '100' } });
  assert.equal((await server.cli('apps', 'update', '1001', ...flags)).code, 0);
  await sleep(400);
  return server;
}

test('REST trigger rate: 429 past the per-second limit', async () => {
  const server = await limited('--max-triggers-per-second', '3');
  try {
    const pusher = await pusherFor(server);
    const results = await Promise.all(Array.from({ length: 6 }, () => pusher.trigger('c', 'e', {}).then(() => 200, (e) => e.status)));
    assert.equal(results.filter((s) => s === 200).length, 3);
    assert.equal(results.filter((s) => s === 429).length, 3);
    await sleep(1_100);
    assert.equal((await pusher.trigger('c', 'e', {})).status, 200);
  } finally {
    await server.stop();
  }
});

test('daily message quota: REST 429, Pusher 4004, hub 4004, and it survives a restart', async () => {
  let server = await limited('--max-messages-per-day', '5');
  const dataDir = server.dataDir;
  const pusher = await pusherFor(server);
  for (let i = 0; i < 5; i++) await pusher.trigger('quota', 'e', { i });
  await assert.rejects(pusher.trigger('quota', 'e', {}), (e) => e.status === 429 && /Daily message quota/.test(e.body));

  const s = await establishedSocket(server);
  s.send({ event: 'pusher:subscribe', data: { channel: 'private-q', auth: `${testApp.key}:${sign(`${s.socketId}:private-q`)}` } });
  await s.next('pusher_internal:subscription_succeeded');
  s.send({ event: 'client-x', channel: 'private-q', data: {} });
  assert.equal((await s.next('pusher:error')).data.code, 4004);
  s.ws.close();

  await server.stop({ keepData: true });
  server = await startServer({ dataDir });
  try {
    const again = await pusherFor(server);
    await assert.rejects(again.trigger('quota', 'e', {}), (e) => e.status === 429);
    const hub = await connectHub(server, { token: await issueToken(server, { userId: 'u', channels: ['private-*'] }) });
    await hub.invoke('Subscribe', 'private-h');
    await assert.rejects(hub.invoke('Trigger', 'private-h', 'client-x', '{}'), /4004: Daily message quota exceeded/);
    await hub.stop();
    const usage = JSON.parse((await server.cli('apps', 'show', '1001', '--json')).stdout);
    assert.equal(usage.max_messages_per_day, 5);
  } finally {
    await server.stop();
  }
});

test('connection limit: Pusher 4004, SignalR refused before it opens', async () => {
  const server = await limited('--max-connections', '1');
  try {
    const first = await establishedSocket(server);
    const token = await issueToken(server);
    await assert.rejects(buildHub(server, { token }).start(), /429/);
    const direct = await upgradeRefusal(server, { access_token: token });
    assert.equal(direct.status, 429);
    assert.match(JSON.parse(direct.body).error, /4004/);
    first.ws.close();
    await first.closed;
    await sleep(200);
    const hub = await connectHub(server, { token });
    const refused = await (await import('./support/pusher-client.mjs')).rawSocket(server);
    assert.equal((await refused.next('pusher:error')).data.code, 4004);
    await hub.stop();
  } finally {
    await server.stop();
  }
});

test('presence limits: members per channel and user_info size', async () => {
  const server = await limited('--max-presence-members', '1', '--max-user-info-bytes', '16');
  try {
    const join = async (member) => {
      const s = await establishedSocket(server);
      const data = JSON.stringify(member);
      s.send({ event: 'pusher:subscribe', data: { channel: 'presence-small', auth: `${testApp.key}:${sign(`${s.socketId}:presence-small:${data}`)}`, channel_data: data } });
      return { s, first: await s.next((f) => f.event === 'pusher_internal:subscription_succeeded' || f.event === 'pusher:subscription_error') };
    };
    const ada = await join({ user_id: 'ada' });
    assert.equal(ada.first.event, 'pusher_internal:subscription_succeeded');
    const bob = await join({ user_id: 'bob' });
    assert.deepEqual(JSON.parse(bob.first.data), { type: 'LimitReached', error: 'Presence channel presence-small is full: at most 1 members', status: 4100 });
    const adaTab = await join({ user_id: 'ada' }); // another tab of a member is always allowed
    assert.equal(adaTab.first.event, 'pusher_internal:subscription_succeeded');
    const chatty = await join({ user_id: 'ada', user_info: { bio: 'far more than sixteen bytes' } });
    assert.equal(JSON.parse(chatty.first.data).type, 'LimitReached');
    for (const x of [ada, bob, adaTab, chatty]) x.s.ws.close();
  } finally {
    await server.stop();
  }
});

test('plans: --plan free applies its preset, overrides win', async () => {
  const server = await startServer();
  try {
    const app = JSON.parse((await server.cli('apps', 'create', '--name', 'f', '--plan', 'free', '--max-connections', '50', '--json')).stdout);
    assert.equal(app.max_connections, 50);
    assert.equal(app.max_messages_per_day, 200_000);
    assert.equal(app.max_triggers_per_second, 10);
    const bad = await server.cli('apps', 'update', app.id, '--plan', 'gold');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--plan must be free or premium/);
    const premium = JSON.parse((await server.cli('apps', 'update', app.id, '--plan', 'premium', '--json')).stdout);
    assert.equal(premium.max_connections, 0);
    assert.equal(premium.max_messages_per_day, 0);
  } finally {
    await server.stop();
  }
});
