// A local HTTP endpoint that records webhook requests and answers as told (ok, fail, hang, redirect, huge).
import { createServer } from 'node:http';

export async function startReceiver({ port = 0, behavior = 'ok' } = {}) {
  const requests = [];
  const receiver = { requests, behavior, port: 0, url: '' };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, rawHeaders: req.rawHeaders, rawBody: Buffer.concat(chunks).toString('utf8'), httpVersion: req.httpVersion, at: Date.now() });
      switch (receiver.behavior) {
        case 'fail': res.writeHead(500).end('nope'); break;
        case 'hang': break; // never answers
        case 'redirect': res.writeHead(302, { Location: 'http://127.0.0.1:1/elsewhere' }).end(); break;
        case 'huge': res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('x'.repeat(20_000_000)); break;
        default: res.writeHead(200).end('{}');
      }
    });
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  receiver.port = server.address().port;
  receiver.url = `http://127.0.0.1:${receiver.port}/webhooks`;
  receiver.events = () => requests.flatMap((r) => JSON.parse(r.rawBody).events);
  receiver.close = () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); });
  return receiver;
}
