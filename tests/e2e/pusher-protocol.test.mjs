// Pusher protocol 7 at /app/{key}: pusher-js (Node build), raw ws and Laravel Echo against the AOT binary.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import Echo from 'laravel-echo';
import PusherJs from 'pusher-js';
import { startServer, testApp, sleep, pusherFor, eventually } from './support/server.mjs';
import { pusherJs, connected, subscribed, nextEvent, rawSocket, establishedSocket, upgradeRequest } from './support/pusher-client.mjs';
import { issueToken, connectHub } from './support/hub.mjs';

let server;
let pusher;
const clients = [];
before(async () => {
  server = await startServer();
  pusher = await pusherFor(server);
});
after(async () => {
  for (const c of clients) c.disconnect?.();
  await server.stop();
});
const client = (options = {}) => {
  const c = pusherJs(server, { pusher, ...options });
  clients.push(c);
  return c;
};
const sign = (text) => createHmac('sha256', testApp.secret).update(text).digest('hex');

describe('pusher-js', () => {
  test('connects, subscribes to a public channel and receives a REST trigger as an object', async () => {
    const c = client();
    assert.match(await connected(c), /^\d+\.\d+$/);
    const channel = c.subscribe('orders');
    await subscribed(channel);
    const event = nextEvent(channel, 'order-shipped');
    await pusher.trigger('orders', 'order-shipped', { id: 42, note: 'ünïcødé "quoted"' });
    assert.deepEqual((await event).data, { id: 42, note: 'ünïcødé "quoted"' });
  });

  test('private channel authorized by the official library\'s authorizeChannel', async () => {
    const c = client();
    await connected(c);
    const channel = c.subscribe('private-orders.42');
    await subscribed(channel);
    const event = nextEvent(channel, 'paid');
    await pusher.trigger('private-orders.42', 'paid', { amount: 10 });
    assert.deepEqual((await event).data, { amount: 10 });
  });

  test('a wrong private signature is refused with subscription_error', async () => {
    const liar = new PusherJs(testApp.key, {
      cluster: 'mt1', wsHost: server.host, wsPort: server.port, forceTLS: false, enabledTransports: ['ws'],
      channelAuthorization: { customHandler: (_, cb) => cb(null, { auth: `${testApp.key}:${'0'.repeat(64)}` }) },
    });
    clients.push(liar);
    await connected(liar);
    const error = await subscribed(liar.subscribe('private-secret')).then(() => null, (e) => e);
    assert.equal(error.type, 'AuthError');
    assert.equal(error.status, 401);
    assert.match(error.error, /Invalid signature/);
  });

  test('presence: members, member_added and member_removed once per user', async () => {
    const ada = client({ presence: { user_id: 'u-ada', user_info: { name: 'Ada' } } });
    const bob = client({ presence: { user_id: 'u-bob', user_info: { name: 'Bob' } } });
    await Promise.all([connected(ada), connected(bob)]);
    const adaRoom = ada.subscribe('presence-room.1');
    await subscribed(adaRoom);
    const added = nextEvent(adaRoom, 'pusher:member_added');
    const bobRoom = bob.subscribe('presence-room.1');
    const members = await subscribed(bobRoom);
    assert.equal(members.count, 2);
    assert.equal(members.me.id, 'u-bob');
    assert.deepEqual(members.get('u-ada').info, { name: 'Ada' });
    assert.deepEqual((await added).data, { id: 'u-bob', info: { name: 'Bob' } });

    const users = await (await pusher.get({ path: '/channels/presence-room.1/users' })).json();
    assert.deepEqual(users.users.map((u) => u.id).sort(), ['u-ada', 'u-bob']);

    const removed = nextEvent(adaRoom, 'pusher:member_removed');
    bob.unsubscribe('presence-room.1');
    assert.equal((await removed).data.id, 'u-bob');
  });

  test('client events between two clients, not echoed; user_id on presence', async () => {
    const ada = client({ presence: { user_id: 'u-ada' } });
    const bob = client({ presence: { user_id: 'u-bob' } });
    await Promise.all([connected(ada), connected(bob)]);
    const [adaChat, bobChat] = [ada.subscribe('presence-chat'), bob.subscribe('presence-chat')];
    await Promise.all([subscribed(adaChat), subscribed(bobChat)]);
    let echoed = false;
    adaChat.bind('client-typing', () => { echoed = true; });
    const typing = nextEvent(bobChat, 'client-typing');
    adaChat.trigger('client-typing', { typing: true });
    const { data, metadata } = await typing;
    assert.deepEqual(data, { typing: true });
    assert.equal(metadata.user_id, 'u-ada');
    await sleep(100);
    assert.equal(echoed, false);
  });

  test('cache channel: the last event on subscribe, or pusher:cache_miss', async () => {
    await pusher.trigger('cache-prices', 'price-updated', { price: 10 });
    await pusher.trigger('cache-prices', 'price-updated', { price: 11 });
    const c = client();
    await connected(c);
    const prices = c.subscribe('cache-prices');
    assert.deepEqual((await nextEvent(prices, 'price-updated')).data, { price: 11 });
    const empty = c.subscribe('cache-empty');
    await nextEvent(empty, 'pusher:cache_miss');
  });

  test('encrypted channel: ciphertext relayed untouched and decrypted by the client', async () => {
    const masterKey = Buffer.from('This is a 32 byte master key!!!!').toString('base64');
    const encrypting = new (await import('pusher')).default({ appId: testApp.id, key: testApp.key, secret: testApp.secret, host: server.host, port: String(server.port), useTLS: false, encryptionMasterKeyBase64: masterKey });
    const c = client({ pusher: encrypting });
    await connected(c);
    const vault = c.subscribe('private-encrypted-vault');
    await subscribed(vault);
    const event = nextEvent(vault, 'secret');
    await encrypting.trigger('private-encrypted-vault', 'secret', { secret: 42 });
    assert.deepEqual((await event).data, { secret: 42 });
  });

  test('signin, then sendToUser reaches the user; terminate closes it for good', async () => {
    const c = client({ user: { id: 'u-77', user_info: { name: 'Ada' } } });
    await connected(c);
    c.signin();
    await eventually(() => c.user.user_data?.id === 'u-77', 5_000, 'signin_success');
    await sleep(100); // pusher-js subscribes #server-to-user-u-77 right after
    const hello = nextEvent(c.user, 'hello');
    await pusher.sendToUser('u-77', 'hello', { hi: 1 });
    assert.deepEqual((await hello).data, { hi: 1 });

    const states = [];
    c.connection.bind('state_change', ({ current }) => states.push(current));
    await pusher.terminateUserConnections('u-77');
    await eventually(() => c.connection.state === 'disconnected', 5_000, 'disconnected');
    await sleep(1_500);
    assert.equal(c.connection.state, 'disconnected'); // 4009: pusher-js does not reconnect
    assert.ok(!states.includes('connecting'));
  });
});

describe('raw protocol frames', () => {
  test('connection_established, then ping gets pong', async () => {
    const s = await establishedSocket(server);
    assert.match(s.socketId, /^\d+\.\d+$/);
    assert.equal(s.activityTimeout, 120);
    s.send({ event: 'pusher:ping', data: {} });
    assert.deepEqual(await s.next('pusher:pong'), { event: 'pusher:pong', data: '{}' });
    s.send({ event: 'pusher:ping' }); // the Java client sends no data
    await s.next('pusher:pong');
    s.ws.close();
  });

  test('server frames carry string data (double encoding)', async () => {
    const s = await establishedSocket(server);
    s.send({ event: 'pusher:subscribe', data: { channel: 'presence-raw', auth: `${testApp.key}:${sign(`${s.socketId}:presence-raw:{"user_id":10}`)}`, channel_data: '{"user_id":10}' } });
    const ok = await s.next('pusher_internal:subscription_succeeded');
    assert.equal(typeof ok.data, 'string');
    assert.deepEqual(JSON.parse(ok.data), { presence: { ids: ['10'], hash: { 10: null }, count: 1 } });
    s.ws.close();
  });

  test('unknown key: pusher:error 4001 and close 4001', async () => {
    const s = await rawSocket(server, { key: 'no-such-key' });
    assert.equal((await s.next('pusher:error')).data.code, 4001);
    assert.equal((await s.closed).code, 4001);
  });

  test('unsupported protocol: 4007', async () => {
    const s = await rawSocket(server, { query: '?protocol=99' });
    assert.equal((await s.next('pusher:error')).data.code, 4007);
    assert.equal((await s.closed).code, 4007);
  });

  test('bad auth: subscription_error and pusher:error, socket stays open', async () => {
    const s = await establishedSocket(server);
    s.send({ event: 'pusher:subscribe', data: { channel: 'private-x', auth: `${testApp.key}:bad` } });
    const error = await s.next('pusher:subscription_error');
    assert.equal(error.channel, 'private-x');
    assert.deepEqual(Object.keys(JSON.parse(error.data)).sort(), ['error', 'status', 'type']);
    const plain = await s.next('pusher:error');
    assert.equal(plain.data.code, null);
    s.send({ event: 'pusher:subscribe', data: { channel: 'private-x' } });
    assert.match(JSON.parse((await s.next('pusher:subscription_error')).data).error, /Auth info required/);
    s.send({ event: 'pusher:subscribe', data: { channel: 'private-x', auth: `other-key:${sign(`${s.socketId}:private-x`)}` } });
    assert.match(JSON.parse((await s.next('pusher:subscription_error')).data).error, /Invalid key/);
    s.send({ event: 'pusher:ping' });
    await s.next('pusher:pong');
    s.ws.close();
  });

  test('garbage, binary, unknown events and bad client events get errors, never a close', async () => {
    const s = await establishedSocket(server);
    s.send('this is not json');
    assert.equal((await s.next('pusher:error')).data.code, null);
    s.send('[1,2,3]');
    await s.next('pusher:error');
    s.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    s.send({ event: 'pusher:frobnicate' });
    assert.match((await s.next('pusher:error')).data.message, /Unsupported event/);
    s.send({ event: 'client-x', channel: 'public', data: {} });
    assert.match((await s.next('pusher:error')).data.message, /only supported on private and presence/);
    s.send({ event: 'pusher:subscribe', data: { channel: 'a'.repeat(10_000) } });
    assert.equal(JSON.parse((await s.next('pusher:subscription_error')).data).type, 'InvalidChannel');
    s.send({ event: 'pusher:ping' });
    await s.next('pusher:pong');
    assert.equal(s.ws.readyState, 1);
    s.ws.close();
  });

  test('a 1 MB frame closes that socket only; the others keep receiving', async () => {
    const bystander = await establishedSocket(server);
    bystander.send({ event: 'pusher:subscribe', data: { channel: 'steady' } });
    await bystander.next('pusher_internal:subscription_succeeded');
    const attacker = await establishedSocket(server);
    attacker.send({ event: 'client-big', channel: 'private-x', data: 'x'.repeat(1_000_000) });
    assert.equal((await attacker.closed).code, 1009);
    await pusher.trigger('steady', 'still', { ok: true });
    assert.equal((await bystander.next('still')).data, '{"ok":true}');
    bystander.ws.close();
  });

  test('a subscribe flood is served without harming others', async () => {
    const bystander = await establishedSocket(server);
    bystander.send({ event: 'pusher:subscribe', data: { channel: 'calm' } });
    await bystander.next('pusher_internal:subscription_succeeded');
    const flooder = await establishedSocket(server);
    for (let i = 0; i < 2_000; i++) flooder.send({ event: 'pusher:subscribe', data: { channel: `flood-${i}` } });
    await pusher.trigger('calm', 'fine', {});
    await bystander.next('fine');
    flooder.ws.close();
    await flooder.closed;
    await eventually(async () => Object.keys((await (await pusher.get({ path: '/channels', params: { filter_by_prefix: 'flood-' } })).json()).channels).length === 0, 5_000, 'flood channels freed');
    bystander.ws.close();
  });

  test('client event over the rate limit: 4301 in pusher:error, socket stays open', async () => {
    const s = await establishedSocket(server);
    s.send({ event: 'pusher:subscribe', data: { channel: 'private-rate', auth: `${testApp.key}:${sign(`${s.socketId}:private-rate`)}` } });
    await s.next('pusher_internal:subscription_succeeded');
    for (let i = 0; i < 12; i++) s.send({ event: 'client-burst', channel: 'private-rate', data: { i } });
    const error = await s.next('pusher:error');
    assert.equal(error.data.code, 4301);
    assert.equal(error.channel, 'private-rate');
    s.send({ event: 'pusher:ping' });
    await s.next('pusher:pong');
    s.ws.close();
  });
});

describe('one channel space with SignalR', () => {
  test('a REST trigger reaches a SignalR client and a pusher-js client on one channel', async () => {
    const hub = await connectHub(server, { token: await issueToken(server) });
    const c = client();
    await connected(c);
    const channel = c.subscribe('shared');
    await subscribed(channel);
    await hub.invoke('Subscribe', 'shared');
    const info = await (await pusher.get({ path: '/channels/shared', params: { info: 'subscription_count' } })).json();
    assert.equal(info.subscription_count, 2);
    const viaPusher = nextEvent(channel, 'news');
    await pusher.trigger('shared', 'news', { n: 1 });
    assert.deepEqual((await viaPusher).data, { n: 1 });
    assert.equal((await hub.next('news')).data, '{"n":1}');
    await hub.stop();
  });

  test('one presence set across protocols, and socket_id exclusion for either', async () => {
    const hub = await connectHub(server, { token: await issueToken(server, { userId: 'u-hub', userInfo: { via: 'signalr' }, channels: ['presence-*'] }) });
    const c = client({ presence: { user_id: 'u-js', user_info: { via: 'pusher' } } });
    const socketId = await connected(c);
    await hub.invoke('Subscribe', 'presence-mixed');
    const room = c.subscribe('presence-mixed');
    const members = await subscribed(room);
    assert.equal(members.count, 2);
    assert.deepEqual(members.get('u-hub').info, { via: 'signalr' });
    assert.deepEqual(JSON.parse((await hub.next('pusher:member_added')).data), { user_id: 'u-js', user_info: { via: 'pusher' } });
    const counts = await (await pusher.get({ path: '/channels/presence-mixed', params: { info: 'user_count,subscription_count' } })).json();
    assert.deepEqual(counts, { occupied: true, user_count: 2, subscription_count: 2 });

    await pusher.trigger('presence-mixed', 'not-for-js', {}, { socket_id: socketId });
    await pusher.trigger('presence-mixed', 'not-for-hub', {}, { socket_id: hub.socketId });
    let jsGotExcluded = false;
    room.bind('not-for-js', () => { jsGotExcluded = true; });
    await hub.next('not-for-js');
    await sleep(100);
    assert.equal(jsGotExcluded, false);
    assert.ok(!hub.events.some((e) => e.name === 'not-for-hub'));

    const removed = nextEvent(room, 'pusher:member_removed');
    await hub.stop();
    assert.equal((await removed).data.id, 'u-hub');
  });

  test('client events cross protocols', async () => {
    const hub = await connectHub(server, { token: await issueToken(server, { userId: 'u-hub', channels: ['private-*'] }) });
    const c = client();
    await connected(c);
    const room = c.subscribe('private-bridge');
    await subscribed(room);
    await hub.invoke('Subscribe', 'private-bridge');
    const fromHub = nextEvent(room, 'client-hello');
    await hub.invoke('Trigger', 'private-bridge', 'client-hello', '{"from":"hub"}');
    assert.deepEqual((await fromHub).data, { from: 'hub' });
    room.trigger('client-hello', { from: 'js' });
    assert.equal((await hub.next('client-hello')).data, '{"from":"js"}');
    await hub.stop();
  });
});

describe('Laravel Echo', () => {
  test('.channel(...).listen(...) with a Laravel-style event name', async () => {
    const echo = new Echo({
      broadcaster: 'pusher', key: testApp.key, cluster: 'mt1', wsHost: server.host, wsPort: server.port,
      forceTLS: false, enabledTransports: ['ws'], disableStats: true, Pusher: PusherJs,
    });
    clients.push({ disconnect: () => echo.disconnect() });
    const received = new Promise((ok) => echo.channel('orders.echo').listen('OrderShipped', ok));
    await connected(echo.connector.pusher);
    await eventually(() => echo.connector.pusher.channel('orders.echo')?.subscribed, 5_000, 'Echo subscription');
    await pusher.trigger('orders.echo', 'App\\Events\\OrderShipped', { order: { id: 42 } });
    assert.deepEqual(await received, { order: { id: 42 } });
  });

  test('.private(...) authorized by a custom authorizer, and .error() on refusal', async () => {
    const echo = new Echo({
      broadcaster: 'pusher', key: testApp.key, cluster: 'mt1', wsHost: server.host, wsPort: server.port,
      forceTLS: false, enabledTransports: ['ws'], disableStats: true, Pusher: PusherJs,
      authorizer: (channel) => ({
        authorize: (socketId, callback) => (channel.name === 'private-denied'
          ? callback(null, { auth: `${testApp.key}:${'0'.repeat(64)}` })
          : callback(null, pusher.authorizeChannel(socketId, channel.name))),
      }),
    });
    clients.push({ disconnect: () => echo.disconnect() });
    const received = new Promise((ok) => echo.private('orders.7').listen('.paid', ok));
    const refused = new Promise((ok) => echo.private('denied').error(ok));
    await connected(echo.connector.pusher);
    await eventually(() => echo.connector.pusher.channel('private-orders.7')?.subscribed, 5_000, 'Echo private subscription');
    await pusher.trigger('private-orders.7', 'paid', { amount: 5 });
    assert.deepEqual(await received, { amount: 5 });
    assert.equal((await refused).status, 401);
  });
});

// Plain upgrades are taken over before the HTTP pipeline; anything unusual goes through Kestrel.
// Both must speak the same protocol, so these drive a bare TCP socket.
describe('both ways in', () => {
  const masked = (text) => {
    const payload = Buffer.from(text);
    const mask = Buffer.from([1, 2, 3, 4]);
    return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i % 4])]);
  };
  // Reads the socket until `done(bytes)` says so.
  const readUntil = (socket, done) => new Promise((resolve, reject) => {
    let bytes = Buffer.alloc(0);
    const onData = (chunk) => {
      bytes = Buffer.concat([bytes, chunk]);
      if (done(bytes)) { socket.off('data', onData); resolve(bytes); }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    setTimeout(() => reject(new Error(`timed out with ${JSON.stringify(bytes.toString('latin1'))}`)), 5000).unref();
  });
  // Unmasked server text frames (payloads under 64 KB) after the 101's header block.
  const frames = (bytes) => {
    const out = [];
    let at = bytes.indexOf('\r\n\r\n') + 4;
    while (at + 2 <= bytes.length) {
      let length = bytes[at + 1] & 0x7f;
      let header = 2;
      if (length === 126) { length = bytes.readUInt16BE(at + 2); header = 4; }
      if (at + header + length > bytes.length) break;
      out.push(JSON.parse(bytes.subarray(at + header, at + header + length).toString()));
      at += header + length;
    }
    return out;
  };
  const open = async () => {
    const { createConnection } = await import('node:net');
    const socket = createConnection({ host: '127.0.0.1', port: server.port });
    await new Promise((ok) => socket.once('connect', ok));
    return socket;
  };

  test('one write: 101 with the RFC 6455 accept, then frames, and a subscribe sent with the upgrade is served', async () => {
    const socket = await open();
    socket.write(Buffer.concat([Buffer.from(upgradeRequest(server.port)), masked('{"event":"pusher:subscribe","data":{"channel":"both-1"}}')]));
    const bytes = await readUntil(socket, (b) => frames(b).length >= 2);
    const head = bytes.subarray(0, bytes.indexOf('\r\n\r\n')).toString();
    assert.match(head, /^HTTP\/1\.1 101 /);
    assert.match(head, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
    const [established, succeeded] = frames(bytes);
    assert.equal(established.event, 'pusher:connection_established');
    assert.deepEqual([succeeded.event, succeeded.channel], ['pusher_internal:subscription_succeeded', 'both-1']);
    socket.destroy();
  });

  test('a handshake split over two packets goes through Kestrel and gets the same protocol', async () => {
    const socket = await open();
    const request = upgradeRequest(server.port);
    socket.write(request.slice(0, 40));
    await sleep(100);
    socket.write(request.slice(40));
    let bytes = await readUntil(socket, (b) => frames(b).length >= 1);
    assert.match(bytes.toString('latin1'), /^HTTP\/1\.1 101 /);
    assert.equal(frames(bytes)[0].event, 'pusher:connection_established');
    socket.write(masked('{"event":"pusher:subscribe","data":{"channel":"both-2"}}'));
    bytes = await readUntil(socket, (b) => b.includes('subscription_succeeded'));
    socket.destroy();
  });

  test('a WebSocket ping gets a pong with the same data; an unmasked frame gets close 1002', async () => {
    const socket = await open();
    socket.write(upgradeRequest(server.port));
    await readUntil(socket, (b) => b.includes('connection_established'));
    const mask = Buffer.from([9, 8, 7, 6]);
    socket.write(Buffer.concat([Buffer.from([0x89, 0x80 | 4]), mask, Buffer.from('ping').map((b, i) => b ^ mask[i % 4])]));
    const pong = await readUntil(socket, (b) => b.length >= 6);
    assert.deepEqual([...pong.subarray(0, 2)], [0x8a, 4]);
    assert.equal(pong.subarray(2, 6).toString(), 'ping');
    socket.write(Buffer.concat([Buffer.from([0x81, 2]), Buffer.from('hi')])); // clients must mask (RFC 6455 §5.1)
    const close = await readUntil(socket, (b) => b.length >= 4);
    assert.equal(close[0], 0x88);
    assert.equal(close.readUInt16BE(2), 1002);
    socket.destroy();
  });

  test('an upgrade after an ordinary request on the same connection works too', async () => {
    const socket = await open();
    socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    const health = await readUntil(socket, (b) => b.includes('"ok"'));
    assert.match(health.toString(), /^HTTP\/1\.1 200 /);
    socket.write(upgradeRequest(server.port));
    const bytes = await readUntil(socket, (b) => b.includes('connection_established'));
    assert.match(bytes.toString('latin1'), /^HTTP\/1\.1 101 /);
    socket.destroy();
  });
});
