// Failures through the server: every bad input gets the SDK's error (class, code,
// operation, exact reason; the emulator's `detail` beside it), in the SDK's check order
// (R-X1); the SDK's plain JavaScript exceptions arrive as such (R-X3); protocol errors
// (bad frames) get -32xxx codes and leave the connection open.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import AgoraRTM, { EmulatorControl, RTMBaseError } from '../index.js';
import { APP_ID, client, recorded, rejects, throws, useServer } from './helpers.js';

let server;
let control;
useServer((started) => {
  server = started;
  control = started.control;
}, ['--max-frame-bytes', '65536']);

describe('R-X1: calls before login', () => {
  it('every call is -10025 (RtmInvalidStatusError) with the SDK operation; unsubscribe and logout resolve', async () => {
    const rtm = client(server, 'alice');
    await rejects(rtm.subscribe('room'), 'subscribe', -10025);
    await rejects(rtm.presence.whoNow('room', 'MESSAGE'), 'whoNow', -10025);
    await rejects(rtm.presence.getOnlineUsers('room', 'MESSAGE'), 'getOnlineUsers', -10025);
    await rejects(rtm.presence.whereNow('alice'), 'whereNow', -10025);
    await rejects(rtm.presence.getUserChannels('alice'), 'getUserChannels', -10025);
    await rejects(rtm.presence.setState('room', 'MESSAGE', { a: '1' }), 'presenceSetState', -10025);
    await rejects(rtm.presence.getState('alice', 'room', 'MESSAGE'), 'presenceGetState', -10025);
    await rejects(rtm.presence.removeState('room', 'MESSAGE'), 'presenceRemoveState', -10025);
    await rejects(rtm.createStreamChannel('stage').join(), 'join', -10025);
    await rejects(rtm.createStreamChannel('stage').leave(), 'leave', -10025);
    assert.deepEqual(await rtm.unsubscribe('room'), { timestamp: 0, channelName: 'room' });
    assert.deepEqual(await rtm.logout(), { timestamp: 0 });
    assert.deepEqual(await rtm.logout(), { timestamp: 0 });
  });

  it('the channel type is checked before the link; names and state after it', async () => {
    const rtm = client(server, 'alice');
    await rejects(rtm.presence.whoNow('a.b', 'USER'), 'whoNow', -10019);
    await rejects(rtm.presence.getState('', 'a.b', 'USER'), 'presenceGetState', -10019);
    await rejects(rtm.presence.whoNow('a.b', 'MESSAGE'), 'whoNow', -10025);
    await rejects(rtm.presence.setState('room', 'MESSAGE', { _bad: '1' }), 'presenceSetState', -10025);
    await rejects(rtm.presence.setState('room', 'MESSAGE', null), 'presenceSetState', -10025);
    await rejects(rtm.presence.removeState('room', 'MESSAGE', { states: ['a', 'a'] }), 'presenceRemoveState', -10025);
    // unsubscribe checks the name first
    await rejects(rtm.unsubscribe('a.b'), 'unsubscribe', -10008);
  });
});

describe('R-X1: check order once logged in', () => {
  it('names, options and state keys get their codes and the SDK reasons; the detail names the value', async () => {
    const { rtm } = await recorded(server, 'alice');
    const badChannel = await rejects(rtm.subscribe('_hidden'), 'subscribe', -10008);
    assert.match(badChannel.detail ?? '', /_hidden/);
    assert.equal(Object.keys(badChannel).includes('detail'), false);
    await rejects(rtm.presence.whoNow('a.b', 'MESSAGE'), 'whoNow', -10008);
    await rejects(rtm.presence.whoNow('room', 'USER'), 'whoNow', -10019);
    await rejects(rtm.presence.getOnlineUsers('room', 'USER'), 'getOnlineUsers', -10019);
    await rejects(rtm.presence.getState('a.b', 'room', 'MESSAGE'), 'presenceGetState', -10006);
    await rejects(rtm.presence.getState('', 'room', 'MESSAGE'), 'presenceGetState', -10006); // R-Q6
    await rejects(rtm.presence.whereNow('a.b'), 'whereNow', -10006);
    const conflict = await rejects(
      rtm.presence.whoNow('room', 'MESSAGE', { includedUserId: false, includedState: true }),
      'whoNow',
      -13003,
    );
    assert.equal(
      conflict.reason,
      'Presence operation failed due to invalid argument.include uid is false but include state is true.',
    );
    const empty = await rejects(rtm.presence.setState('room', 'MESSAGE', {}), 'presenceSetState', -13003);
    assert.equal(empty.reason, 'Presence operation failed due to invalid argument.state of parameter is empty.');
    await rejects(rtm.presence.setState('room', 'MESSAGE', { _bad: '1' }), 'presenceSetState', -13006);
    await rejects(rtm.presence.setState('room', 'MESSAGE', { 'a.b': '1' }), 'presenceSetState', -13006);
    await rejects(
      rtm.presence.removeState('room', 'MESSAGE', { states: ['a', 'a'] }),
      'presenceRemoveState',
      -13010,
    );
    await rejects(rtm.presence.removeState('room', 'MESSAGE', { states: [''] }), 'presenceRemoveState', -13006);
    // a stream channel name is checked by createStreamChannel itself, synchronously
    throws(() => rtm.createStreamChannel('a.b'), 'createStreamChannel', -10008);
    await rejects(rtm.createStreamChannel('stage').leave(), 'leave', -11001);
  });

  it('R-L5: unsubscribing a channel not subscribed resolves; unknown subscribe options are ignored', async () => {
    const { rtm } = await recorded(server, 'alice');
    assert.deepEqual(await rtm.unsubscribe('room'), { timestamp: 0, channelName: 'room' });
    assert.deepEqual(await rtm.subscribe('room', { withPrescence: true }), { timestamp: 0, channelName: 'room' });
    assert.deepEqual(await control.userChannels('alice'), [{ channelType: 'MESSAGE', channelName: 'room' }]);
  });

  it('R-S3: key and value limits (32 bytes, 16384 bytes, 32 keys); a failed call changes nothing', async () => {
    const { rtm } = await recorded(server, 'alice');
    await rtm.subscribe('room');
    await rtm.presence.setState('room', 'MESSAGE', { a: '1' });
    const tooMany = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    await rejects(rtm.presence.setState('room', 'MESSAGE', tooMany), 'presenceSetState', -13005);
    const union = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v']));
    await rejects(rtm.presence.setState('room', 'MESSAGE', union), 'presenceSetState', -13005); // 'a' + 32
    await rejects(rtm.presence.setState('room', 'MESSAGE', { b: 'x'.repeat(16385) }), 'presenceSetState', -13009);
    await rejects(rtm.presence.setState('room', 'MESSAGE', { ['k'.repeat(33)]: '1' }), 'presenceSetState', -13008);
    assert.deepEqual(await control.stateOf('alice', 'room', 'MESSAGE'), { a: '1' });
    await rtm.presence.setState('room', 'MESSAGE', { ['k'.repeat(32)]: 'x'.repeat(16384), n: 5, t: true });
    assert.deepEqual(await control.stateOf('alice', 'room', 'MESSAGE'), {
      a: '1',
      ['k'.repeat(32)]: 'x'.repeat(16384),
      n: 5,
      t: true,
    });
  });
});

describe('R-X3: where the SDK throws a plain JavaScript exception', () => {
  it('setState(..., null) and removeState({states: "ab"}) reject with TypeErrors carrying the SDK message', async () => {
    const { rtm } = await recorded(server, 'alice');
    await rtm.subscribe('room');
    for (const state of [null, undefined]) {
      const err = await rtm.presence.setState('room', 'MESSAGE', state).catch((e) => e);
      assert.equal(Object.getPrototypeOf(err), TypeError.prototype);
      assert.equal(err.message, 'Cannot convert undefined or null to object');
    }
    const err = await rtm.presence.removeState('room', 'MESSAGE', { states: 'ab' }).catch((e) => e);
    assert.equal(Object.getPrototypeOf(err), TypeError.prototype);
    assert.equal(err.message, 'n.forEach is not a function');
    assert.deepEqual(await control.stateOf('alice', 'room', 'MESSAGE'), {});
  });

  it('R-Q3: a page that is not base64 is a DOMException InvalidCharacterError on the server route only', async () => {
    const { rtm } = await recorded(server, 'alice');
    const err = await rtm.presence.whoNow('room', 'MESSAGE', { page: '!!!' }).catch((e) => e);
    assert.ok(err instanceof DOMException, String(err));
    assert.deepEqual([err.name, err.message], ['InvalidCharacterError', 'Invalid character']);
    // the local route (R-Q2) ignores the page
    await rtm.subscribe('room');
    const local = await rtm.presence.whoNow('room', 'MESSAGE', { page: '!!!' });
    assert.deepEqual(local, {
      timestamp: 0,
      totalOccupancy: 1,
      occupants: [{ userId: 'alice', states: {}, statesCount: 0 }],
      nextPage: '',
    });
  });
});

describe('the client', () => {
  it('errors are RTMBaseError instances whose JSON is the SDK error', async () => {
    const rtm = client(server, 'alice');
    const err = await rejects(rtm.subscribe('room'), 'subscribe', -10025);
    assert.ok(err instanceof RTMBaseError);
    assert.ok(err instanceof AgoraRTM.RTMBaseError);
    assert.equal(err.name, 'RtmInvalidStatusError');
    assert.deepEqual(JSON.parse(JSON.stringify(err)), {
      code: -10025,
      error: true,
      reason: 'Perform operation failed due to RTM service is not connected.',
      operation: 'subscribe',
      errorCode: -10025,
      name: 'RtmInvalidStatusError',
    });
  });

  it('RTM_EMULATOR_URL is the default URL', async () => {
    process.env.RTM_EMULATOR_URL = server.url;
    try {
      const rtm = new AgoraRTM.RTM(APP_ID, 'alice');
      assert.deepEqual(await rtm.login(), { timestamp: 0 });
      assert.equal(rtm.emulator.url, server.url);
    } finally {
      delete process.env.RTM_EMULATOR_URL;
    }
  });
});

/** A control call must fail with `code` (RTMBaseError of the SDK class) and a detail matching `pattern`. */
async function controlRejects(promise, code, pattern) {
  const err = await promise.then(
    (value) => assert.fail(`expected ${code}, got ${JSON.stringify(value)}`),
    (e) => e,
  );
  assert.ok(err instanceof RTMBaseError, String(err));
  assert.equal(err.errorCode, code);
  if (pattern) assert.match(`${err.detail ?? ''} ${err.reason}`, pattern);
  return err;
}

describe('control errors', () => {
  it('bad control arguments are -10014 naming the value', async () => {
    await controlRejects(control.advance(-1), -10014, /-1/);
    await controlRejects(control.reset({ announceMax: 3 }), -10014, /announce/i);
    await controlRejects(control.reset({ anounceMax: 9 }), -10014, /anounceMax/);
    await controlRejects(control.onlineUsers('room', 'USER'), -10019);
    await controlRejects(control.journal({ eventType: 'REMOTE_JION' }), -10014, /REMOTE_JION/);
    const other = new EmulatorControl(server.url, { appId: '' });
    await controlRejects(other.onlineUsers('room', 'MESSAGE'), -10014);
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
