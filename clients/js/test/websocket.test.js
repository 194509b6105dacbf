// The package's own WebSocket client (websocket.cjs, used where the runtime has no
// global WebSocket) against an independent server, the `ws` package (a dev dependency
// only): handshake, masking (ws refuses unmasked client frames), 16- and 64-bit lengths,
// fragments, ping/pong, close codes both ways, refused and wrong handshakes.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { WebSocketServer } from 'ws';

const { WebSocket } = createRequire(import.meta.url)('../websocket.cjs');

let wss;
let url;
/** What the next connection does: a function of the server-side socket. */
let onConnection = () => {};

before(async () => {
  wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    verifyClient: (info) => !info.req.url.startsWith('/refuse'),
  });
  await once(wss, 'listening');
  url = `ws://127.0.0.1:${wss.address().port}`;
  wss.on('connection', (socket, request) => onConnection(socket, request));
});

after(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

/** Open a client, resolve once it is open. */
async function open(path = '/') {
  const ws = new WebSocket(url + path);
  assert.equal(ws.readyState, WebSocket.CONNECTING);
  await once(ws, 'open');
  assert.equal(ws.readyState, WebSocket.OPEN);
  return ws;
}

/** The next `n` messages the client receives. */
function messages(ws, n) {
  return new Promise((resolve) => {
    const got = [];
    const listener = (event) => {
      got.push(event.data);
      if (got.length === n) {
        ws.removeEventListener('message', listener);
        resolve(got);
      }
    };
    ws.addEventListener('message', listener);
  });
}

function closed(ws) {
  return new Promise((resolve) => ws.addEventListener('close', resolve, { once: true }));
}

test('text messages both ways, of 7-bit, 16-bit and 64-bit lengths, masked', async () => {
  onConnection = (socket) => socket.on('message', (data, isBinary) => socket.send(isBinary ? data : `echo:${data}`));
  const ws = await open();
  const sizes = [0, 1, 125, 126, 200, 65_535, 65_536, 70_000, 1 << 20];
  const bodies = sizes.map((size, i) => 'é✓'.repeat(i).concat('x'.repeat(size)));
  const got = messages(ws, bodies.length);
  for (const body of bodies) ws.send(body);
  assert.deepEqual(await got, bodies.map((body) => `echo:${body}`));
  const done = closed(ws);
  ws.close();
  assert.equal((await done).code, 1005); // no code sent: none echoed
});

test('a fragmented message arrives whole, with a ping between its fragments', async () => {
  let pongs = 0;
  onConnection = (socket) => {
    socket.on('pong', (data) => {
      assert.equal(String(data), 'are you there');
      pongs += 1;
      socket.send('after the pong');
    });
    const big = 'y'.repeat(100_000);
    socket.send('first ', { fin: false });
    socket.ping('are you there');
    socket.send(big, { fin: false });
    socket.send(' last', { fin: true });
  };
  const ws = await open();
  const [whole, next] = await messages(ws, 2);
  assert.equal(whole, `first ${'y'.repeat(100_000)} last`);
  assert.equal(next, 'after the pong');
  assert.equal(pongs, 1);
  ws.close(1000);
  await closed(ws);
});

test('the client closes with a code and reason; the server sees them, the client gets them back', async () => {
  const seen = new Promise((resolve) => {
    onConnection = (socket) => socket.on('close', (code, reason) => resolve([code, String(reason)]));
  });
  const ws = await open();
  const done = closed(ws);
  ws.close(4001, 'bye now');
  assert.equal(ws.readyState, WebSocket.CLOSING);
  ws.send('dropped while closing'); // no throw, as in browsers
  const event = await done;
  assert.deepEqual(await seen, [4001, 'bye now']);
  assert.deepEqual([event.code, event.reason, event.wasClean], [4001, 'bye now', true]);
  assert.equal(ws.readyState, WebSocket.CLOSED);
});

test('the server closes with a code and reason: the close event carries them', async () => {
  onConnection = (socket) => socket.close(4001, 'emulator reset');
  const ws = new WebSocket(url);
  const event = await closed(ws);
  assert.deepEqual([event.code, event.reason, event.wasClean], [4001, 'emulator reset', true]);
});

test('a dropped TCP connection is close code 1006, not clean', async () => {
  onConnection = (socket) => socket.terminate();
  const ws = new WebSocket(url);
  const event = await closed(ws);
  assert.deepEqual([event.code, event.wasClean], [1006, false]);
});

test('a refused handshake fires error, then close 1006', async () => {
  const ws = new WebSocket(`${url}/refuse`);
  const events = [];
  ws.addEventListener('error', (event) => events.push(['error', event.message]));
  const event = await closed(ws);
  assert.deepEqual(events, [['error', 'Unexpected server response: 401']]);
  assert.deepEqual([event.code, event.wasClean, ws.readyState], [1006, false, WebSocket.CLOSED]);
});

test('a server answering with a wrong Sec-WebSocket-Accept is refused', async () => {
  const server = createServer();
  server.on('upgrade', (request, socket) => {
    const wrong = createHash('sha1').update('not the key').digest('base64');
    socket.end(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${wrong}\r\n\r\n`,
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.address().port}`);
    const errors = [];
    ws.addEventListener('error', (event) => errors.push(event.message));
    assert.equal((await closed(ws)).code, 1006);
    assert.deepEqual(errors, ['Invalid Sec-WebSocket-Accept header']);
  } finally {
    server.close();
  }
});

test('nothing listening: error, then close 1006', async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  const errors = [];
  ws.addEventListener('error', (event) => errors.push(event.message));
  assert.equal((await closed(ws)).code, 1006);
  assert.match(errors[0], /ECONNREFUSED/);
});

test('the WHATWG argument checks: URL scheme, send while connecting, close codes and reasons', async () => {
  assert.throws(() => new WebSocket('ftp://127.0.0.1/'), { name: 'SyntaxError' });
  assert.throws(() => new WebSocket('not a url'), { name: 'SyntaxError' });
  assert.throws(() => new WebSocket(`${url}/#frag`), { name: 'SyntaxError' });
  onConnection = () => {};
  const ws = new WebSocket(url);
  assert.throws(() => ws.send('too early'), { name: 'InvalidStateError' });
  await once(ws, 'open');
  assert.throws(() => ws.close(1001), { name: 'InvalidAccessError' });
  assert.throws(() => ws.close(1000, 'x'.repeat(124)), { name: 'SyntaxError' });
  assert.equal(ws.readyState, WebSocket.OPEN);
  ws.close(1000, 'x'.repeat(123));
  assert.equal((await closed(ws)).code, 1000);
});

test('close() while connecting: error, then close 1006', async () => {
  onConnection = () => {};
  const ws = new WebSocket(url);
  const order = [];
  ws.addEventListener('error', () => order.push('error'));
  ws.addEventListener('open', () => order.push('open'));
  const done = closed(ws);
  ws.close();
  assert.equal((await done).code, 1006);
  assert.deepEqual(order, ['error']);
});
