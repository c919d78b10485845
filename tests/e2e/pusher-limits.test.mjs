// Admission and liveness of the Pusher protocol on servers configured for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, pusherFor, eventually, sleep } from './support/server.mjs';
import { rawSocket, establishedSocket, pusherJs, connected, upgradeRequest } from './support/pusher-client.mjs';

test('a silent connection is pinged after activity_timeout and closed with 4201; pusher-js answers and stays', async () => {
  const server = await startServer({ env: { Skubber__Pusher__ActivityTimeoutSeconds: '1', Skubber__Pusher__PongTimeoutSeconds: '1' } });
  try {
    const pusher = await pusherFor(server);
    const js = pusherJs(server, { pusher });
    await connected(js);
    const silent = await establishedSocket(server);
    assert.equal(silent.activityTimeout, 1);
    assert.deepEqual(await silent.next('pusher:ping', 3_000), { event: 'pusher:ping', data: '{}' });
    assert.equal((await silent.next('pusher:error', 3_000)).data.code, 4201);
    assert.equal((await silent.closed).code, 4201);
    assert.equal(js.connection.state, 'connected');
    js.disconnect();
  } finally {
    await server.stop();
  }
});

test('a client that never answers our close frame is dropped once the close handshake times out (5 s), both ways in', async () => {
  const server = await startServer({ env: { Skubber__Pusher__ActivityTimeoutSeconds: '1', Skubber__Pusher__PongTimeoutSeconds: '1' } });
  try {
    const { createConnection } = await import('node:net');
    const upgrade = upgradeRequest(server.port);
    // One write is taken before the HTTP pipeline; a handshake split in two goes through Kestrel's endpoint.
    for (const split of [false, true]) {
      // A bare TCP socket: a WebSocket library would answer the close for us.
      const socket = createConnection({ host: '127.0.0.1', port: server.port });
      await new Promise((ok) => socket.once('connect', ok));
      let bytes = Buffer.alloc(0);
      socket.on('data', (chunk) => { bytes = Buffer.concat([bytes, chunk]); });
      const dropped = new Promise((ok) => socket.once('close', () => ok(Date.now())));
      if (split) {
        socket.write(upgrade.slice(0, 40));
        await sleep(100);
        socket.write(upgrade.slice(40));
      } else {
        socket.write(upgrade);
      }
      // Silent: the ping goes unanswered, so the server sends 4201 and its close frame.
      await eventually(() => bytes.includes('Pong reply not received') && bytes.includes(Buffer.from([0x88])), 6_000, 'the 4201 close');
      const closeSent = Date.now();
      const waited = (await Promise.race([dropped, sleep(10_000).then(() => Infinity)])) - closeSent;
      assert.ok(waited >= 4_000 && waited <= 8_000, `${split ? 'split' : 'one-write'} upgrade: the server dropped the TCP connection ${waited} ms after its close frame`);
    }
  } finally {
    await server.stop();
  }
});

test('disabled app 4003, and an app over its connection quota 4004', async () => {
  const server = await startServer();
  try {
    const quota = JSON.parse((await server.cli('apps', 'create', '--name', 'small', '--max-connections', '1', '--json')).stdout);
    const off = JSON.parse((await server.cli('apps', 'create', '--name', 'off', '--enabled', 'false', '--json')).stdout);
    // Retried until the server has loaded the new app; the socket that gets in is the one allowed.
    const first = await eventually(async () => {
      const s = await rawSocket(server, { key: quota.key });
      if ((await s.next(() => true)).event === 'pusher:connection_established') return s;
      await s.closed; // 4001 while the app is not loaded yet
      return null;
    }, 5_000, 'new apps to load');
    const second = await rawSocket(server, { key: quota.key });
    assert.equal((await second.next('pusher:error')).data.code, 4004);
    assert.equal((await second.closed).code, 4004);
    first.ws.close();

    const disabled = await rawSocket(server, { key: off.key });
    assert.equal((await disabled.next('pusher:error')).data.code, 4003);
    assert.equal((await disabled.closed).code, 4003);
  } finally {
    await server.stop();
  }
});

test('client events switched off for an app: 4301 "not enabled"', async () => {
  const server = await startServer();
  try {
    await server.cli('apps', 'update', '1001', '--client-events', 'false');
    const { createHmac } = await import('node:crypto');
    const { testApp } = await import('./support/server.mjs');
    await eventually(async () => {
      const s = await establishedSocket(server);
      s.send({ event: 'pusher:subscribe', data: { channel: 'private-c', auth: `${testApp.key}:${createHmac('sha256', testApp.secret).update(`${s.socketId}:private-c`).digest('hex')}` } });
      await s.next('pusher_internal:subscription_succeeded');
      s.send({ event: 'client-x', channel: 'private-c', data: {} });
      const error = await s.next('pusher:error', 500).catch(() => null); // none while the old setting is served
      s.ws.close();
      return error?.data.code === 4301 && /not enabled/.test(error.data.message);
    }, 10_000, 'client events to be refused');
  } finally {
    await server.stop();
  }
});

test('a reader that stops reading is disconnected; a bystander gets every event', async () => {
  const server = await startServer({ env: { Skubber__Pusher__OutboxCapacity: '64' } });
  try {
    const pusher = await pusherFor(server);
    const slow = await establishedSocket(server);
    const fast = await establishedSocket(server);
    for (const s of [slow, fast]) {
      s.send({ event: 'pusher:subscribe', data: { channel: 'firehose' } });
      await s.next('pusher_internal:subscription_succeeded');
    }
    slow.ws._socket.pause(); // stop reading from TCP: the kernel buffers fill, then our outbox
    let received = 0;
    fast.ws.on('message', (raw) => { if (raw.toString().includes('"event":"tick"')) received++; });
    const data = 'x'.repeat(10_000);
    for (let batch = 0; batch < 200; batch++) {
      await pusher.triggerBatch(Array.from({ length: 10 }, (_, i) => ({ channel: 'firehose', name: 'tick', data: `${batch}-${i}-${data}` })));
    }
    await eventually(() => received === 2_000, 20_000, `all 2,000 events at the bystander (got ${received})`);
    slow.ws._socket.resume();
    const { code } = await slow.closed;
    assert.notEqual(code, 1000); // aborted, not a clean close
    const info = await (await pusher.get({ path: '/channels/firehose', params: { info: 'subscription_count' } })).json();
    assert.equal(info.subscription_count, 1);
    fast.ws.close();
  } finally {
    await server.stop();
  }
});
