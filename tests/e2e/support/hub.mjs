// SignalR clients for the hub at /push, as a browser or Node app would build them.
import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { testApp } from './server.mjs';

export const protocols = ['json', 'messagepack'];

/** Step one of the README's browser example: the backend trades key and secret for a token. */
export async function issueToken(server, claims = {}, app = testApp) {
  const response = await fetch(`${server.url}/api/auth/signalr-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiKey: app.key, apiSecret: app.secret, ...claims }),
  });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
  return (await response.json()).token;
}

/** The same token minted by the app's own backend with nothing but HMAC-SHA256. */
export function mintToken({ key = testApp.key, secret = testApp.secret, alg = 'HS256', ...payload }) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = `${b64({ alg, kid: key, typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/**
 * The ways in: `negotiated` (SignalR's default) and `direct` (skipNegotiation), both served on the
 * socket; `stateful` (withStatefulReconnect) stays on SignalR's own WebSocket transport.
 */
export const connectModes = ['negotiated', 'direct'];

export function buildHub(server, { token, protocol = 'json', userId, transport = signalR.HttpTransportType.WebSockets, mode = 'negotiated' } = {}) {
  const query = userId ? `?userId=${encodeURIComponent(userId)}` : '';
  const skipNegotiation = mode === 'direct';
  const builder = new signalR.HubConnectionBuilder()
    .withUrl(`${server.url}/push${query}`, { accessTokenFactory: () => token, transport, skipNegotiation })
    .configureLogging(signalR.LogLevel.None);
  if (protocol === 'messagepack') builder.withHubProtocol(new MessagePackHubProtocol());
  if (mode === 'stateful') builder.withStatefulReconnect();
  return builder.build();
}

/** A started connection that records every `event` and remembers its socket id. */
export async function connectHub(server, options) {
  const connection = buildHub(server, options);
  const events = [];
  const waiters = [];
  const socketId = new Promise((ok) => connection.on('connected', ok));
  connection.on('event', (channel, name, data, userId) => {
    events.push({ channel, name, data, userId });
    for (const w of [...waiters]) w();
  });
  const closed = new Promise((ok) => connection.onclose(ok));
  await connection.start();
  const client = {
    connection, events, closed,
    socketId: await socketId,
    invoke: (...args) => connection.invoke(...args),
    stop: () => connection.stop(),
    next(name, channel, timeoutMs = 5_000) {
      const find = () => events.find((e) => e.name === name && (!channel || e.channel === channel));
      return new Promise((ok, fail) => {
        const check = () => {
          const found = find();
          if (!found) return false;
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          ok(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          fail(new Error(`no ${name} event${channel ? ` on ${channel}` : ''}; got ${events.map((e) => e.name).join(', ')}`));
        }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
  };
  return client;
}

/** The status and body a direct (skipNegotiation) upgrade to /push is refused with, seen by a raw WebSocket. */
export const upgradeRefusal = (server, params) => new Promise((ok, fail) => {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/push?${new URLSearchParams(params)}`);
  socket.on('unexpected-response', (_, response) => {
    let body = '';
    response.on('data', (chunk) => { body += chunk; });
    response.on('end', () => ok({ status: response.statusCode, body }));
  });
  socket.on('open', () => { socket.close(); fail(new Error('the upgrade was accepted')); });
  socket.on('error', () => {});
});

/**
 * A hub client written by hand over a raw WebSocket, speaking SignalR's JSON protocol: for what the
 * library hides (pings, its own reading pace). `messages` holds every parsed message.
 */
export async function rawHub(server, token, { handshake = true, bearer = false } = {}) {
  // The JavaScript client sends the token in the query; the .NET client in Authorization: Bearer.
  const url = `${server.url.replace('http', 'ws')}/push${bearer ? '' : `?access_token=${encodeURIComponent(token)}`}`;
  const ws = new WebSocket(url, bearer ? { headers: { Authorization: `Bearer ${token}` } } : {});
  const messages = [];
  const waiters = [];
  ws.on('message', (raw) => {
    for (const text of raw.toString().split('\x1e').filter(Boolean)) messages.push(JSON.parse(text));
    for (const w of [...waiters]) w();
  });
  const closed = new Promise((ok) => ws.on('close', (code) => ok(code)));
  await new Promise((ok, fail) => { ws.once('open', ok); ws.once('error', fail); });
  const send = (message) => ws.send(`${JSON.stringify(message)}\x1e`);
  const next = (match, timeoutMs = 5_000) => new Promise((ok, fail) => {
    const check = () => {
      const found = messages.find(match);
      if (!found) return;
      clearTimeout(timer);
      waiters.splice(waiters.indexOf(check), 1);
      ok(found);
    };
    const timer = setTimeout(() => {
      waiters.splice(waiters.indexOf(check), 1);
      fail(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(messages).slice(0, 300)}`));
    }, timeoutMs);
    waiters.push(check);
    check();
  });
  if (handshake) {
    send({ protocol: 'json', version: 1 });
    await next((m) => Object.keys(m).length === 0); // the handshake answer: {}
  }
  return { ws, messages, closed, send, next };
}
