// pusher-js and raw WebSocket clients for /app/{key}, configured as a Pusher user would.
import PusherJs from 'pusher-js';
import WebSocket from 'ws';
import { testApp } from './server.mjs';

/** pusher-js pointed at our host: wsHost, wsPort, forceTLS false, ws transport only. */
export function pusherJs(server, { pusher, presence, user, key = testApp.key } = {}) {
  const client = new PusherJs(key, {
    cluster: 'mt1', // required by pusher-js; ignored once wsHost is set
    wsHost: server.host,
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        try { callback(null, pusher.authorizeChannel(socketId, channelName, channelName.startsWith('presence-') ? presence : undefined)); }
        catch (e) { callback(e, null); }
      },
    },
    userAuthentication: {
      customHandler: ({ socketId }, callback) => callback(null, pusher.authenticateUser(socketId, user)),
    },
  });
  return client;
}

export const connected = (client) => new Promise((ok, fail) => {
  if (client.connection.state === 'connected') return ok(client.connection.socket_id);
  client.connection.bind('connected', () => ok(client.connection.socket_id));
  client.connection.bind('failed', () => fail(new Error('pusher-js failed to connect')));
});

export const subscribed = (channel) => new Promise((ok, fail) => {
  channel.bind('pusher:subscription_succeeded', ok);
  channel.bind('pusher:subscription_error', fail);
});

export const nextEvent = (bindable, name, timeoutMs = 5_000) => new Promise((ok, fail) => {
  const timer = setTimeout(() => fail(new Error(`no ${name} within ${timeoutMs} ms`)), timeoutMs);
  const handler = (data, metadata) => { clearTimeout(timer); bindable.unbind(name, handler); ok({ data, metadata }); };
  bindable.bind(name, handler);
});

/** The plain HTTP/1.1 upgrade to /app/{key} (RFC 6455's sample key), for tests that drive a bare TCP socket. */
export const upgradeRequest = (port, key = testApp.key) => `GET /app/${key}?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
  'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** A raw WebSocket speaking protocol 7 by hand: every frame it receives, parsed, and how it closed. */
export async function rawSocket(server, { key = testApp.key, query = '?protocol=7&client=js&version=8.6.0&flash=false' } = {}) {
  const ws = new WebSocket(`ws://${server.host}:${server.port}/app/${key}${query}`);
  const frames = [];
  const waiters = [];
  ws.on('message', (raw, isBinary) => {
    if (isBinary) return;
    frames.push(JSON.parse(raw.toString()));
    for (const w of [...waiters]) w();
  });
  const closed = new Promise((ok) => ws.on('close', (code, reason) => ok({ code, reason: reason.toString() })));
  await new Promise((ok, fail) => { ws.once('open', ok); ws.once('error', fail); });
  const socket = {
    ws, frames, closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next(predicate, timeoutMs = 5_000) {
      const test = typeof predicate === 'string' ? (f) => f.event === predicate : predicate;
      return new Promise((ok, fail) => {
        const check = () => {
          const index = frames.findIndex(test);
          if (index < 0) return;
          const [found] = frames.splice(index, 1);
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          ok(found);
        };
        const timer = setTimeout(() => { waiters.splice(waiters.indexOf(check), 1); fail(new Error(`no frame matching ${predicate}; have ${JSON.stringify(frames).slice(0, 500)}`)); }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
  };
  return socket;
}

/** A raw socket past connection_established, with its socket id. */
export async function establishedSocket(server, options) {
  const socket = await rawSocket(server, options);
  const established = await socket.next('pusher:connection_established');
  socket.socketId = JSON.parse(established.data).socket_id;
  socket.activityTimeout = JSON.parse(established.data).activity_timeout;
  return socket;
}
