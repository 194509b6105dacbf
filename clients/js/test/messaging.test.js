// Messaging end to end through a real `rtm-emulator serve` (issue 16): publish to MESSAGE
// and USER channels, message events (text and Uint8Array), history.getMessages, the
// stream-channel topic calls and topic events, the synchronous getSubscribedUserList
// answered from the server's topic view, HISTORY_ENABLED carried with each call, and
// control calls that never overtake the calls made before them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import AgoraRTM, { RTMHistory } from '../index.js';
import { client, rejects, throws, useServer } from './helpers.js';

let server;
let control;
useServer((started) => {
  server = started;
  control = started.control;
});

/** A logged-in client recording its message and topic events. */
async function messenger(userId) {
  const rtm = client(server, userId);
  const messages = [];
  const topics = [];
  rtm.addEventListener('message', (event) => messages.push(event));
  rtm.addEventListener('topic', (event) => topics.push(event));
  await rtm.login();
  return { rtm, messages, topics };
}

const without = (event, key = 'timestamp') => Object.fromEntries(Object.entries(event).filter(([k]) => k !== key));

describe('publish and message events', () => {
  it('delivers a channel message to every withMessage subscriber before publish resolves (R-M7, R-M9)', async () => {
    const bob = await messenger('bob');
    const alice = await messenger('alice');
    await bob.rtm.subscribe('room');
    await alice.rtm.subscribe('room', { withMessage: false });
    const result = await alice.rtm.publish('room', 'hello', { customType: 'chat' });
    assert.deepEqual(result, { timestamp: 0, channelName: 'room' });
    assert.deepEqual(Object.keys(result), ['timestamp', 'channelName']);
    assert.equal(bob.messages.length, 1);
    const [event] = bob.messages;
    assert.deepEqual(Object.keys(event), [
      'channelName',
      'publisher',
      'message',
      'messageType',
      'customType',
      'channelType',
      'topicName',
      'timestamp',
    ]);
    assert.deepEqual(without(event), {
      channelName: 'room',
      publisher: 'alice',
      message: 'hello',
      messageType: 'STRING',
      customType: 'chat',
      channelType: 'MESSAGE',
      topicName: '',
    });
    assert.equal(typeof event.timestamp, 'number');
    assert.deepEqual(alice.messages, []); // subscribed without messages
  });

  it('carries binary messages as Uint8Array, a Node Buffer and a subarray included (R-M7)', async () => {
    const bob = await messenger('bob');
    const alice = await messenger('alice');
    await bob.rtm.subscribe('room');
    await alice.rtm.publish('room', new Uint8Array([0, 255, 7]));
    await alice.rtm.publish('room', Buffer.from('hi'));
    await alice.rtm.publish('room', new Uint8Array(100).fill(9).subarray(10, 13));
    assert.deepEqual(
      bob.messages.map((e) => [e.messageType, e.message instanceof Uint8Array, [...e.message]]),
      [
        ['BINARY', true, [0, 255, 7]],
        ['BINARY', true, [104, 105]],
        ['BINARY', true, [9, 9, 9]],
      ],
    );
  });

  it('sends a USER message to that user only, and -11033 when the user is offline (R-M4, R-M23)', async () => {
    const bob = await messenger('bob');
    const alice = await messenger('alice');
    await alice.rtm.publish('bob', 'psst', { channelType: 'USER' });
    assert.deepEqual(
      bob.messages.map((e) => [e.channelType, e.channelName, e.publisher, e.message]),
      [['USER', 'alice', 'alice', 'psst']],
    );
    await rejects(alice.rtm.publish('carol', 'x', { channelType: 'USER' }), 'publish', -11033, 'RtmUnavailableError');
  });

  it('fails bad messages with the SDK errors, and nothing is delivered (R-M1)', async () => {
    const bob = await messenger('bob');
    const alice = await messenger('alice');
    await bob.rtm.subscribe('room');
    for (const bad of ['', null, undefined, 5, {}, new ArrayBuffer(2), new Uint16Array(2), new DataView(new ArrayBuffer(1))]) {
      await rejects(alice.rtm.publish('room', bad), 'publish', -11009, 'RtmInvalidArgumentError');
    }
    // an object that looks like the wire's bytes is still just an object
    await rejects(alice.rtm.publish('room', { $: 'bytes', base64: 'AQ==' }), 'publish', -11009, 'RtmInvalidArgumentError');
    await rejects(alice.rtm.publish('room', 'x', { channelType: 'STREAM' }), 'publish', -10019, 'RtmInvalidArgumentError');
    await rejects(alice.rtm.publish('room', 'x', { customType: new Uint8Array(40) }), 'publish', -11029, 'RtmInvalidArgumentError');
    await rejects(alice.rtm.publish('room', 'x', { customType: 7 }), 'publish', -11030, 'RtmInvalidArgumentError');
    assert.deepEqual(bob.messages, []);
  });

  it('rejects publish before login with -10025 (R-M1)', async () => {
    const rtm = client(server, 'idle');
    await rejects(rtm.publish('room', 'x'), 'publish', -10025);
  });
});

describe('history.getMessages', () => {
  it('lists what was stored, newest first, binary entries as Uint8Array (R-M10, R-M11)', async () => {
    const alice = await messenger('alice');
    await alice.rtm.publish('room', 'one', { storeInHistory: true });
    await control.advance(1);
    await alice.rtm.publish('room', new Uint8Array([1, 2]), { storeInHistory: true, customType: 'bin' });
    await alice.rtm.publish('room', 'not kept');
    const page = await alice.rtm.history.getMessages('room', 'MESSAGE');
    assert.deepEqual(Object.keys(page), ['messageList', 'count', 'newStart', 'timestamp']);
    assert.equal(page.count, 2);
    const [newest, oldest] = page.messageList;
    assert.deepEqual(Object.keys(newest), ['message', 'customType', 'messageType', 'publisher', 'timestamp']);
    assert.ok(newest.message instanceof Uint8Array);
    assert.deepEqual([...newest.message], [1, 2]);
    assert.deepEqual([newest.messageType, newest.customType], ['BINARY', 'bin']);
    assert.deepEqual([oldest.message, oldest.messageType, oldest.publisher], ['one', 'STRING', 'alice']);
    assert.equal(newest.timestamp - oldest.timestamp, 1000);
    assert.ok(alice.rtm.history instanceof RTMHistory);
  });

  it('honours HISTORY_ENABLED at each call (R-M1, R-M10)', async () => {
    const alice = await messenger('alice');
    AgoraRTM.setParameter('HISTORY_ENABLED', false);
    try {
      await rejects(alice.rtm.publish('room', 'x', { storeInHistory: true }), 'publish', -15005, 'RtmInvalidArgumentError');
      await rejects(alice.rtm.history.getMessages('room', 'MESSAGE'), 'getMessages', -15005, 'RtmUnavailableError');
      await alice.rtm.publish('room', 'x', { storeInHistory: false });
    } finally {
      AgoraRTM.setParameter('HISTORY_ENABLED', true);
    }
    const page = await alice.rtm.history.getMessages('room', 'MESSAGE');
    assert.equal(page.count, 0);
  });
});

describe('stream-channel topics', () => {
  it('joins, subscribes and delivers topic messages with topic events (R-M13, R-M15, R-M19, R-M20)', async () => {
    const bob = await messenger('bob');
    const bobStage = bob.rtm.createStreamChannel('stage');
    await bobStage.join();
    const alice = await messenger('alice');
    const stage = alice.rtm.createStreamChannel('stage');
    await stage.join();
    assert.deepEqual(await stage.joinTopic('t1', { meta: 'dropped' }), { timestamp: 0, topicName: 't1' });
    assert.deepEqual(
      bob.topics.map((e) => [e.eventType, e.publisher, e.topicInfos.map((t) => t.topicName)]),
      [
        ['SNAPSHOT', '', []],
        ['REMOTE_JOIN', 'alice', ['t1']],
      ],
    );
    assert.deepEqual(Object.keys(bob.topics[1]), ['eventType', 'channelName', 'publisher', 'topicInfos', 'totalTopics', 'timestamp']);
    assert.deepEqual(bob.topics[1].topicInfos[0].publishers, [{ publisherUserId: 'alice', publisherMeta: '' }]);
    const sub = await bobStage.subscribeTopic('t1');
    assert.deepEqual(sub, { failedUsers: [], failedDetails: [], succeedUsers: ['alice'], timestamp: 0, topicName: 't1' });
    await stage.publishTopicMessage('t1', 'go', { customType: 'move' });
    await stage.publishTopicMessage('t1', new Uint8Array([5]));
    assert.deepEqual(
      bob.messages.map((e) => [e.channelType, e.channelName, e.topicName, e.publisher, e.messageType]),
      [
        ['STREAM', 'stage', 't1', 'alice', 'STRING'],
        ['STREAM', 'stage', 't1', 'alice', 'BINARY'],
      ],
    );
    assert.deepEqual(Object.keys(bob.messages[0]), [
      'channelName',
      'channelType',
      'topicName',
      'message',
      'publisher',
      'messageType',
      'customType',
      'timestamp',
    ]);
    assert.deepEqual([...bob.messages[1].message], [5]);
    assert.deepEqual(alice.messages, []); // never the publisher
    await stage.leaveTopic('t1');
    assert.deepEqual(bob.topics.at(-1).eventType, 'REMOTE_LEAVE');
  });

  it('answers getSubscribedUserList synchronously from the topic view (R-M17)', async () => {
    const bob = await messenger('bob');
    const stage = bob.rtm.createStreamChannel('stage');
    throws(() => client(server, 'nobody').createStreamChannel('stage').getSubscribedUserList('t1'), 'getSubscribedUserList', -10025);
    throws(() => stage.getSubscribedUserList('t1'), 'getSubscribedUserList', -11001);
    await stage.join();
    throws(() => stage.getSubscribedUserList('a.b'), 'getSubscribedUserList', -11008, 'RtmInvalidArgumentError');
    throws(() => stage.getSubscribedUserList('t1'), 'getSubscribedUserList', -11013, 'RtmUnavailableError');
    await stage.subscribeTopic('t1', { users: ['zed', 'alice'] });
    const list = stage.getSubscribedUserList('t1');
    assert.deepEqual(list, { subscribed: ['alice', 'zed'], timestamp: 0, topicName: 't1' });
    assert.deepEqual(Object.keys(list), ['subscribed', 'timestamp', 'topicName']);
    list.subscribed.push('mutated'); // a copy: the view is not changed
    assert.deepEqual(stage.getSubscribedUserList('t1').subscribed, ['alice', 'zed']);
    // a pre-subscribed publisher who joins the topic is subscribed at once: subscribed first
    const zed = await messenger('zed');
    const zedStage = zed.rtm.createStreamChannel('stage');
    await zedStage.join();
    await zedStage.joinTopic('t1');
    assert.deepEqual(stage.getSubscribedUserList('t1').subscribed, ['zed', 'alice']);
    // a network cut leaves the channel unjoined for topic calls (R-M12)
    await control.disconnect('bob');
    throws(() => stage.getSubscribedUserList('t1'), 'getSubscribedUserList', -11001);
    await control.reconnect('bob');
    await control.advance(5);
    assert.deepEqual(stage.getSubscribedUserList('t1').subscribed, ['zed', 'alice']);
    await stage.unsubscribeTopic('t1');
    throws(() => stage.getSubscribedUserList('t1'), 'getSubscribedUserList', -11013, 'RtmUnavailableError');
    await bob.rtm.logout();
    throws(() => stage.getSubscribedUserList('t1'), 'getSubscribedUserList', -10025);
  });

  it('answers -11001 while its socket is closed, and again the server view once resumed', async () => {
    const bob = await messenger('bob');
    const stage = bob.rtm.createStreamChannel('stage');
    await stage.join();
    await stage.subscribeTopic('t1', { users: ['alice'] });
    await bob.rtm.emulator.dropConnection();
    throws(() => stage.getSubscribedUserList('t1'), 'getSubscribedUserList', -11001);
    await bob.rtm.emulator.restoreConnection(); // resumes the session on a new socket
    await control.advance(5);
    assert.deepEqual(stage.getSubscribedUserList('t1').subscribed, ['alice']);
  });

  it('rejects publishTopicMessage of a non-message with the runtime TypeError (R-M18)', async () => {
    const alice = await messenger('alice');
    const stage = alice.rtm.createStreamChannel('stage');
    await stage.join();
    await stage.joinTopic('t1');
    const cases = [
      [undefined, "Cannot read properties of undefined (reading 'buffer')"],
      [null, "Cannot read properties of null (reading 'buffer')"],
      [5, "Cannot read properties of undefined (reading 'byteLength')"],
      [{}, "Cannot read properties of undefined (reading 'byteLength')"],
      [new ArrayBuffer(2), "Cannot read properties of undefined (reading 'byteLength')"],
    ];
    for (const [value, text] of cases) {
      await assert.rejects(stage.publishTopicMessage('t1', value), (err) => err instanceof TypeError && err.message === text);
    }
    // the checks before the size read come first: a bad topic name wins
    await rejects(stage.publishTopicMessage('a.b', 5), 'publishTopicMessage', -11008, 'RtmInvalidArgumentError');
    // a pooled Buffer counts its whole 8 KiB pool (the SDK's quirk)
    await rejects(stage.publishTopicMessage('t1', Buffer.from('hi')), 'publishTopicMessage', -11010, 'RtmInvalidArgumentError');
  });
});

describe('ordering', () => {
  it('a control call waits for the calls made before it (rate limits count at call time)', async () => {
    await control.reset({ rateLimits: true });
    const alice = await messenger('alice');
    const sixty = Array.from({ length: 60 }, (_, i) => alice.rtm.publish('room', `r${i}`));
    await control.advance(1.5);
    const settled = await Promise.allSettled(sixty);
    assert.deepEqual(settled.filter((s) => s.status !== 'fulfilled'), []);
    // the 61st in the next second is within its limit
    await alice.rtm.publish('room', 'r60');
    await control.reset({});
  });
});
