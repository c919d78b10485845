// The Pusher HTTP API end to end: the official `pusher` server library and raw HTTP against the AOT binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Pusher from 'pusher';
import { startServer, testApp, eventually, pusherFor } from './support/server.mjs';

let server;
let pusher;

before(async () => {
  server = await startServer();
  pusher = await pusherFor(server);
});
after(() => server.stop());

const json = (response) => response.json();

test('pusher.trigger to one channel answers {}', async () => {
  const response = await pusher.trigger('orders', 'order-shipped', { id: 42 });
  assert.equal(response.status, 200);
  assert.deepEqual(await json(response), {});
});

test('pusher.trigger with info and socket_id reports counts per channel', async () => {
  const response = await pusher.trigger(['orders', 'presence-room.1'], 'e', 'x', { socket_id: '123.456', info: 'user_count,subscription_count' });
  assert.deepEqual(await json(response), {
    channels: { orders: { subscription_count: 0 }, 'presence-room.1': { user_count: 0, subscription_count: 0 } },
  });
});

test('pusher.trigger to 100 channels succeeds', async () => {
  const channels = Array.from({ length: 100 }, (_, i) => `bulk-${i}`);
  const response = await pusher.trigger(channels, 'e', { n: 1 });
  assert.equal(response.status, 200);
});

test('pusher.triggerBatch with 10 events answers one entry per event', async () => {
  const batch = Array.from({ length: 10 }, (_, i) => ({ channel: `batch-${i}`, name: 'e', data: { i }, ...(i === 0 ? { info: 'subscription_count' } : {}) }));
  const response = await pusher.triggerBatch(batch);
  const body = await json(response);
  assert.equal(body.batch.length, 10);
  assert.deepEqual(body.batch[0], { subscription_count: 0 });
  assert.deepEqual(body.batch[1], {});
});

test('a cache channel keeps the last event: pusher.get channel info=cache shows its data', async () => {
  await pusher.trigger('cache-prices', 'price-updated', { price: 10 });
  await pusher.trigger('cache-prices', 'price-updated', { price: 11 });
  const body = await json(await pusher.get({ path: '/channels/cache-prices', params: { info: 'cache,subscription_count' } }));
  assert.equal(body.occupied, false);
  assert.equal(body.subscription_count, 0);
  assert.equal(body.cache.data, '{"price":11}');
  assert.ok(body.cache.ttl > 1790 && body.cache.ttl <= 1800);
});

test('pusher.get /channels answers an object, with prefix and user_count', async () => {
  assert.deepEqual(await json(await pusher.get({ path: '/channels' })), { channels: {} });
  const body = await json(await pusher.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } }));
  assert.deepEqual(body, { channels: {} });
});

test('pusher.get channel info and presence users', async () => {
  assert.deepEqual(await json(await pusher.get({ path: '/channels/presence-room.1', params: { info: 'user_count,subscription_count' } })),
    { occupied: false, user_count: 0, subscription_count: 0 });
  assert.deepEqual(await json(await pusher.get({ path: '/channels/presence-room.1/users' })), { users: [] });
});

test('pusher.terminateUserConnections and sendToUser answer {}', async () => {
  assert.deepEqual(await json(await pusher.terminateUserConnections('u-77')), {});
  assert.deepEqual(await json(await pusher.sendToUser('u-77', 'hello', { hi: 1 })), {});
});

test('the library surfaces refusals with their status', async () => {
  const wrong = new Pusher({ appId: testApp.id, key: testApp.key, secret: 'wrong-secret', host: server.host, port: String(server.port), useTLS: false });
  await assert.rejects(wrong.trigger('orders', 'e', {}), (e) => e.status === 401 && /Invalid signature/.test(e.body));
  const unknown = new Pusher({ appId: '9999', key: testApp.key, secret: testApp.secret, host: server.host, port: String(server.port), useTLS: false });
  await assert.rejects(unknown.trigger('orders', 'e', {}), (e) => e.status === 404);
  await assert.rejects(pusher.get({ path: '/channels/orders', params: { info: 'user_count' } }), (e) => e.status === 400);
  await assert.rejects(pusher.get({ path: '/channels/orders/users' }), (e) => e.status === 400);
  await assert.rejects(pusher.trigger('orders', 'e', 'x'.repeat(10_241)), (e) => e.status === 413);
});

test('raw HTTP with X-Api-Key / X-Api-Secret, as in the README curl example', async () => {
  const response = await fetch(`${server.url}/apps/${testApp.id}/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Api-Key': testApp.key, 'X-Api-Secret': testApp.secret },
    body: JSON.stringify({ name: 'order-shipped', channel: 'orders', data: JSON.stringify({ id: 42 }) }),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {});
});

test('raw HTTP refusals are JSON with the contract status codes', async () => {
  const post = (path, body, headers = { 'X-Api-Key': testApp.key, 'X-Api-Secret': testApp.secret }) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers, body });
  const cases = [
    [await post(`/apps/${testApp.id}/events`, '{}', {}), 401],
    [await post(`/apps/${testApp.id}/events`, '{"name":"e","channel":"c","data":"x"}', { 'X-Api-Key': testApp.key, 'X-Api-Secret': 'nope' }), 401],
    [await post(`/apps/${testApp.id}/events`, '{oops'), 400],
    [await post(`/apps/${testApp.id}/events`, '{"name":"e","channel":"c"}'), 400],
    [await post(`/apps/${testApp.id}/events`, JSON.stringify({ name: 'e', channels: Array.from({ length: 101 }, (_, i) => `c${i}`), data: 'x' })), 400],
    [await post(`/apps/${testApp.id}/events`, JSON.stringify({ name: 'e', channel: 'c', data: 'x'.repeat(10_241) })), 413],
    [await post(`/apps/${testApp.id}/events`, 'x'.repeat(2_000_000)), 413],
    [await post('/apps/nope/events', '{}'), 404],
    [await fetch(`${server.url}/no/such/route`), 404],
  ];
  for (const [response, status] of cases) {
    assert.equal(response.status, status, `${response.url} → ${response.status}`);
    assert.equal(typeof (await response.json()).error, 'string');
  }
  assert.equal((await fetch(`${server.url}/health`)).status, 200);
});

test('OpenAPI document and Swagger UI are served', async () => {
  const doc = await (await fetch(`${server.url}/openapi/v1.json`)).json();
  assert.ok(doc.paths['/apps/{appId}/events'].post);
  assert.ok(doc.components.securitySchemes.PusherSignature);
  const ui = await fetch(`${server.url}/swagger/index.html`);
  assert.equal(ui.status, 200);
  assert.match(await ui.text(), /swagger-ui/);
});

test('the CLI manages apps while the server runs, without a restart', async () => {
  const created = await server.cli('apps', 'create', '--name', 'shop', '--id', 'shop-1', '--json');
  assert.equal(created.code, 0, created.stderr);
  const app = JSON.parse(created.stdout);
  assert.match(app.key, /^mps_[A-Za-z0-9]{32}$/);
  assert.match(app.secret, /^[A-Za-z0-9]{48}$/);
  const shop = new Pusher({ appId: app.id, key: app.key, secret: app.secret, host: server.host, port: String(server.port), useTLS: false });
  await eventually(async () => (await shop.trigger('orders', 'e', {})).status === 200, 5_000, 'new app to be served');

  assert.equal((await server.cli('apps', 'update', 'shop-1', '--enabled', 'false')).code, 0);
  await eventually(() => shop.trigger('orders', 'e', {}).then(() => false, (e) => e.status === 403), 5_000, 'disabled app to be refused');

  const rotated = JSON.parse((await server.cli('apps', 'rotate-secret', 'shop-1', '--json')).stdout);
  await server.cli('apps', 'update', 'shop-1', '--enabled', 'true');
  const fresh = new Pusher({ appId: app.id, key: app.key, secret: rotated.secret, host: server.host, port: String(server.port), useTLS: false });
  await eventually(async () => (await fresh.trigger('orders', 'e', {})).status === 200, 5_000, 'rotated secret to be served');
  await assert.rejects(shop.trigger('orders', 'e', {}), (e) => e.status === 401);

  const listed = JSON.parse((await server.cli('apps', 'list', '--json')).stdout);
  assert.deepEqual(listed.map((a) => a.id).sort(), ['1001', 'shop-1']);
  assert.ok(listed.every((a) => a.secret === undefined));

  assert.equal((await server.cli('apps', 'delete', 'shop-1')).code, 0);
  await eventually(() => fresh.trigger('orders', 'e', {}).then(() => false, (e) => e.status === 404), 5_000, 'deleted app to be gone');
});
