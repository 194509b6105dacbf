// Failures: every bad input gets the SDK's ErrorInfo with the right code and a reason
// naming the value; protocol errors (bad frames) get the same shape with -32xxx codes
// and leave the connection open.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import AgoraRTM, { EmulatorControl, RTMBaseError } from '../index.js';
import { client, recorded, rejects, useServer } from './helpers.js';

let server;
let control;
useServer((started) => {
  server = started;
  control = started.control;
}, ['--max-frame-bytes', '65536']);

describe('RTM errors through the client', () => {
  it('an invalid user id fails at login with -10006 (operation RTM, the constructor)', async () => {
    const rtm = client(server, 'null');
    const err = await rejects(rtm.login(), 'RTM', -10006);
    assert.match(err.reason, /'null'/);
    assert.equal(rtm.emulator.session, null);
  });

  it('calls before login are -10002; bad channel names -10008; bad channel types -10019', async () => {
    const rtm = client(server, 'alice');
    await rejects(rtm.subscribe('room'), 'subscribe', -10002);
    await rtm.login();
    const bad = await rejects(rtm.subscribe('_hidden'), 'subscribe', -10008);
    assert.match(bad.reason, /_hidden/);
    await rejects(rtm.createStreamChannel('a.b').join(), 'createStreamChannel', -10008);
    await rejects(rtm.presence.whoNow('room', 'USER'), 'whoNow', -10019);
    await rejects(rtm.unsubscribe('room'), 'unsubscribe', -11002);
    const typo = await rejects(rtm.subscribe('room', { withPrescence: true }), 'subscribe', -10014);
    assert.match(typo.reason, /withPrescence/);
  });

  it('a failed call changes nothing', async () => {
    const { rtm } = await recorded(server, 'alice');
    await rtm.subscribe('room');
    await rtm.presence.setState('room', 'MESSAGE', { a: '1' });
    const tooMany = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    await rejects(rtm.presence.setState('room', 'MESSAGE', tooMany), 'setState', -13005);
    await rejects(rtm.presence.setState('room', 'MESSAGE', { b: 'x'.repeat(8193) }), 'setState', -13009);
    assert.deepEqual(await control.stateOf('alice', 'room', 'MESSAGE'), { a: '1' });
  });

  it('errors are RTMBaseError instances whose own fields are the ErrorInfo', async () => {
    const rtm = client(server, 'alice');
    const err = await rejects(rtm.unsubscribe('room'), 'unsubscribe', -10002);
    assert.ok(err instanceof RTMBaseError);
    assert.ok(err instanceof AgoraRTM.RTMBaseError);
    assert.equal(err.name, 'RTMBaseError');
    assert.deepEqual(JSON.parse(JSON.stringify(err)), { ...err });
    assert.match(err.message, /unsubscribe failed with -10002/);
  });

  it('an unreachable server rejects with -10025', async () => {
    const rtm = new AgoraRTM.RTM('my-app', 'alice', { emulatorUrl: 'ws://127.0.0.1:1' });
    const err = await rejects(rtm.login(), 'login', -10025);
    assert.match(err.reason, /127\.0\.0\.1:1/);
  });

  it('no emulator URL at all is a -10014 at construction', () => {
    const saved = process.env.RTM_EMULATOR_URL;
    delete process.env.RTM_EMULATOR_URL;
    try {
      assert.throws(() => new AgoraRTM.RTM('my-app', 'alice'), { errorCode: -10014, operation: 'RTM' });
    } finally {
      if (saved !== undefined) process.env.RTM_EMULATOR_URL = saved;
    }
  });

  it('RTM_EMULATOR_URL is the default URL', async () => {
    process.env.RTM_EMULATOR_URL = server.url;
    try {
      const rtm = new AgoraRTM.RTM('my-app', 'alice');
      assert.deepEqual(Object.keys(await rtm.login()), ['timestamp']);
      assert.equal(rtm.emulator.url, server.url);
    } finally {
      delete process.env.RTM_EMULATOR_URL;
    }
  });
});

describe('control errors', () => {
  it('bad control arguments are -10014 naming the value; unknown users -10002', async () => {
    const negative = await rejects(control.advance(-1), 'advance', -10014);
    assert.match(negative.reason, /-1/);
    const range = await rejects(control.reset({ announceMax: 3 }), 'EmulatorConfig', -10014);
    assert.match(range.reason, /announce_max/);
    const typo = await rejects(control.reset({ anounceMax: 9 }), 'reset', -10014);
    assert.match(typo.reason, /anounceMax/);
    await rejects(control.disconnect('nobody'), 'disconnect', -10002);
    await rejects(control.onlineUsers('room', 'USER'), 'online_users', -10019);
    const kind = await rejects(control.journal({ eventType: 'REMOTE_JION' }), 'journal', -10014);
    assert.match(kind.reason, /REMOTE_JION/);
    const other = new EmulatorControl(server.url, { appId: '' });
    await rejects(other.onlineUsers('room', 'MESSAGE'), 'onlineUsers', -10014);
    await other.close();
  });
});

/** A raw WebSocket to the server, collecting frames. */
async function raw() {
  const ws = new WebSocket(server.url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const frames = [];
  let wake = null;
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)));
    wake?.();
  });
  return {
    ws,
    async next() {
      while (!frames.length) await new Promise((resolve) => (wake = resolve));
      return frames.shift();
    },
  };
}

describe('protocol errors (docs/server.md)', () => {
  it('malformed, oversized, binary frames and unknown methods get an error reply; the socket survives', async () => {
    const peer = await raw();
    peer.ws.send('{not json');
    assert.deepEqual((await peer.next()).error.errorCode, -32700);
    peer.ws.send(JSON.stringify({ id: 7, method: 'x', params: ['y'.repeat(70_000)] }));
    const big = await peer.next();
    assert.equal(big.id, 7);
    assert.equal(big.error.errorCode, -32001);
    assert.match(big.error.reason, /65536/);
    peer.ws.send(Buffer.from([1, 2, 3]));
    assert.equal((await peer.next()).error.errorCode, -32700);
    peer.ws.send(JSON.stringify({ method: 'control.now' }));
    const noId = await peer.next();
    assert.deepEqual([noId.id, noId.error.errorCode], [null, -32600]);
    peer.ws.send(JSON.stringify({ id: 8, method: 'presence.wh0Now', params: [] }));
    const unknown = await peer.next();
    assert.deepEqual([unknown.id, unknown.error.errorCode], [8, -32601]);
    assert.match(unknown.error.reason, /wh0Now/);
    peer.ws.send(JSON.stringify({ id: 9, method: 'subscribe', params: ['room'] }));
    const noSession = await peer.next();
    assert.deepEqual([noSession.id, noSession.error.errorCode], [9, -32002]);
    peer.ws.send(JSON.stringify({ id: 10, method: 'control.now' }));
    const alive = await peer.next();
    assert.deepEqual([alive.type, alive.id, typeof alive.result.nowMs], ['result', 10, 'number']);
    peer.ws.close();
  });
});
