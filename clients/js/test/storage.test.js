// Storage end to end through a real `rtm-emulator serve` (issue 17): rtm.storage's calls
// answered by the server (values in the runtime's key order, compare-and-set, the check
// order and the `storage` operation of the item setters), `storage` events to
// withMetadata and user-metadata subscribers, and the STORAGE_* parameters carried with
// each call.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import AgoraRTM, { RTMStorage } from '../index.js';
import { client, rejects, useServer } from './helpers.js';

let server;
useServer((started) => {
  server = started;
});

/** A logged-in client recording its storage events. */
async function keeper(userId) {
  const rtm = client(server, userId);
  const events = [];
  rtm.addEventListener('storage', (event) => events.push(event));
  await rtm.login();
  return { rtm, events };
}

describe('rtm.storage', () => {
  it('sets and reads channel metadata in the runtime key order (R-ST10, D-ST2)', async () => {
    const { rtm } = await keeper('alice');
    assert.ok(rtm.storage instanceof RTMStorage);
    const set = await rtm.storage.setChannelMetadata('room', 'MESSAGE', [
      { key: 'b', value: '9' },
      { key: '10', value: 'x' },
      { key: 'b', value: '1' },
    ], { addUserId: true });
    assert.deepEqual(Object.keys(set), ['totalCount', 'timestamp', 'channelName', 'channelType']);
    const got = await rtm.storage.getChannelMetadata('room', 'MESSAGE');
    assert.deepEqual(Object.keys(got), ['totalCount', 'majorRevision', 'metadata', 'timestamp', 'channelName', 'channelType']);
    assert.deepEqual(Object.keys(got.metadata), ['10', 'b']);
    assert.deepEqual(got.metadata.b, { value: '1', revision: 1, updated: 0, authorUid: 'alice' });
    assert.equal(got.majorRevision, 1);
  });

  it('fails as the SDK does: checks in order, CAS, the setters name storage (R-ST3..R-ST6, D-ST4)', async () => {
    const { rtm } = await keeper('alice');
    await rejects(rtm.storage.getChannelMetadata('room', 'USER'), 'getChannelMetadata', -10019, 'RtmInvalidArgumentError');
    await rejects(rtm.storage.setChannelMetadata('room', 'MESSAGE', [{ value: 'v' }]), 'storage', -12009, 'RtmInvalidArgumentError');
    await rejects(rtm.storage.setUserMetadata([{ key: 'k', value: 'x'.repeat(16384) }]), 'setUserMetadata', -12006, 'RtmLimitExceededError');
    await rtm.storage.setUserMetadata([{ key: 'k', value: 'v' }], { majorRevision: 0 });
    await rejects(rtm.storage.setUserMetadata([{ key: 'k', value: 'w' }], { majorRevision: 0 }), 'setUserMetadata', -12014, 'RtmUnavailableError');
    await rejects(rtm.storage.unsubscribeUserMetadata('bob'), 'unsubscribeUserMetadata', -12015, 'RtmInvalidStatusError');
  });

  it('sends storage events: SNAPSHOT then UPDATE with the whole state (R-ST13, R-ST15..R-ST17)', async () => {
    const alice = await keeper('alice');
    const bob = await keeper('bob');
    await alice.rtm.subscribe('room', { withMetadata: true, withPresence: false });
    await alice.rtm.storage.subscribeUserMetadata('bob');
    await bob.rtm.storage.setChannelMetadata('room', 'MESSAGE', [{ key: 'k', value: 'v' }]);
    await bob.rtm.storage.setUserMetadata([{ key: 'mood', value: 'ok' }]);
    const seen = alice.events.map((e) => [e.storageType, e.eventType, e.data.majorRevision]);
    assert.deepEqual(seen, [
      ['CHANNEL', 'SNAPSHOT', 0],
      ['USER', 'SNAPSHOT', 0],
      ['CHANNEL', 'UPDATE', 1],
      ['USER', 'UPDATE', 1],
    ]);
    const user = alice.events[3];
    assert.deepEqual(Object.keys(user), ['channelType', 'channelName', 'publisher', 'storageType', 'eventType', 'data', 'timestamp']);
    assert.equal(user.publisher, 'bob');
    assert.deepEqual(user.data.metadata.mood, { value: 'ok', revision: 1, updated: 0, authorUid: '' });
  });

  it('honours STORAGE_ENABLED at each call (R-ST3)', async () => {
    const { rtm } = await keeper('alice');
    AgoraRTM.setParameter('STORAGE_ENABLED', false);
    try {
      await rejects(rtm.storage.getUserMetadata(), 'getUserMetadata', -12019, 'RtmUnavailableError');
    } finally {
      AgoraRTM.setParameter('STORAGE_ENABLED', true);
    }
    const got = await rtm.storage.getUserMetadata({ userId: 'carol' });
    assert.deepEqual(got, { timestamp: 0, totalCount: 0, majorRevision: 0, metadata: {}, userId: 'carol' });
  });
});
