// The JS samples of seed-presence-web-api.zh.txt (the Web SDK presence reference), run
// against the emulator server through rtm-emulator-client, as written: `rtm` is a
// logged-in client, and each sample's `try { ... } catch (status) { ... }` is kept.
// Mirrors tests/conformance/test_seed_samples.py; each test names the seed's typos it
// corrects (`rtm.Presence` run as `rtm.presence`, `const.log` as `console.log`).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Recorder, assertErrorInfo, checkShape, client, useServer } from './helpers.js';

const console = { log() {} }; // the samples log; keep the test output quiet

let server;
let control;
useServer((started) => {
  server = started;
  control = started.control;
});

/** `rtm` (logged in, the sample's caller) and Tony, listening in chat_room. */
async function seedWorld() {
  const rtm = client(server, 'me');
  await rtm.login();
  const tony = client(server, 'Tony');
  const tonyEvents = new Recorder(tony);
  await tony.login();
  await tony.subscribe('chat_room');
  await tony.presence.setState('chat_room', 'MESSAGE', { mood: 'calm' });
  tonyEvents.take();
  return { rtm, tony, tonyEvents };
}

describe('whoNow', () => {
  it('sample as written: the placeholder bookmark lands in catch (R-Q3, -13003)', async () => {
    const { rtm } = await seedWorld();
    const options = {
      includedUserId: true,
      includedState: true,
      page: 'yourBookMark',
    };
    let caught = null;
    try {
      const result = await rtm.presence.whoNow('chat_room', 'MESSAGE', options);
      console.log(result);
    } catch (status) {
      console.log(status);
      caught = status;
    }
    assertErrorInfo(caught, 'whoNow', -13003);
    assert.match(caught.reason, /yourBookMark/);
  });

  for (const [label, page] of [
    ['page left undefined', undefined],
    ['page null', null],
    ['page ""', ''],
  ]) {
    it(`sample with no bookmark (${label}): the first page`, async () => {
      const { rtm } = await seedWorld();
      const options = {
        includedUserId: true,
        includedState: true,
        page,
      };
      const result = await rtm.presence.whoNow('chat_room', 'MESSAGE', options);
      assert.deepEqual(result, {
        timestamp: await control.now(),
        totalOccupancy: 1,
        occupants: [{ states: { mood: 'calm' }, userId: 'Tony', statesCount: 1 }],
        nextPage: '',
      });
    });
  }

  it('sample with the nextPage the service returned', async () => {
    await control.reset({ pageSize: 2 });
    const { rtm } = await seedWorld();
    for (const uid of ['Amy', 'Zoe']) {
      const other = client(server, uid);
      await other.login();
      await other.subscribe('chat_room');
    }
    const first = await rtm.presence.whoNow('chat_room', 'MESSAGE', {
      includedUserId: true,
      includedState: true,
    });
    assert.deepEqual(
      first.occupants.map((o) => o.userId),
      ['Amy', 'Tony'],
    );
    assert.ok(first.nextPage);
    const options = {
      includedUserId: true,
      includedState: true,
      page: first.nextPage,
    };
    const result = await rtm.presence.whoNow('chat_room', 'MESSAGE', options);
    assert.deepEqual(result, {
      timestamp: await control.now(),
      totalOccupancy: 1,
      occupants: [{ states: {}, userId: 'Zoe', statesCount: 0 }],
      nextPage: '',
    });
  });
});

describe('whereNow', () => {
  it('sample as written: rtm.presence.whereNow("Tony")', async () => {
    const { rtm, tony } = await seedWorld();
    await tony.createStreamChannel('chat_room').join();
    let result;
    try {
      result = await rtm.presence.whereNow('Tony');
      console.log(result);
    } catch (status) {
      console.log(status);
      throw status;
    }
    assert.deepEqual(result, {
      timestamp: await control.now(),
      totalChannel: 2,
      channels: [
        { channelName: 'chat_room', channelType: 'MESSAGE' },
        { channelName: 'chat_room', channelType: 'STREAM' },
      ],
    });
  });
});

describe('setState', () => {
  it('sample (rtm.Presence run as rtm.presence): the boolean value is -13007, nothing changes', async () => {
    const { rtm, tonyEvents } = await seedWorld();
    await rtm.subscribe('chat_room');
    tonyEvents.take();
    var newState = { mood: 'pumped', isTyping: false };
    let caught = null;
    try {
      const result = await rtm.presence.setState('chat_room', 'MESSAGE', newState);
      console.log(result);
    } catch (status) {
      console.log(status);
      caught = status;
    }
    assertErrorInfo(caught, 'setState', -13007);
    assert.match(caught.reason, /isTyping/);
    assert.deepEqual(await control.stateOf('me', 'chat_room', 'MESSAGE'), {});
    assert.deepEqual(tonyEvents.take(), []);
  });

  it('sample with "isTyping": "false" (a string) succeeds; Tony hears the full state', async () => {
    const { rtm, tonyEvents } = await seedWorld();
    await rtm.subscribe('chat_room');
    tonyEvents.take();
    var newState = { mood: 'pumped', isTyping: 'false' };
    const result = await rtm.presence.setState('chat_room', 'MESSAGE', newState);
    console.log(result);
    assert.deepEqual(result, { timestamp: await control.now() });
    assert.deepEqual(await control.stateOf('me', 'chat_room', 'MESSAGE'), newState);
    assert.deepEqual(
      tonyEvents.take().map((e) => [e.eventType, e.publisher, e.stateChanged]),
      [['REMOTE_STATE_CHANGED', 'me', newState]],
    );
  });
});

describe('getState', () => {
  it('sample (const.log run as console.log), Tony present in chat_room', async () => {
    const { rtm, tony } = await seedWorld();
    await tony.presence.setState('chat_room', 'MESSAGE', { mood: 'pumped', isTyping: 'false' });
    let result;
    try {
      result = await rtm.presence.getState('Tony', 'chat_room', 'MESSAGE');
      console.log(result);
    } catch (status) {
      console.log(status);
      throw status;
    }
    assert.deepEqual(result, {
      timestamp: await control.now(),
      userId: 'Tony',
      states: { mood: 'pumped', isTyping: 'false' },
      statesCount: 2,
    });
  });

  it('sample when Tony is not in chat_room: the catch branch, -13011', async () => {
    const { rtm, tony } = await seedWorld();
    await tony.unsubscribe('chat_room');
    let caught = null;
    try {
      await rtm.presence.getState('Tony', 'chat_room', 'MESSAGE');
    } catch (status) {
      caught = status;
    }
    assertErrorInfo(caught, 'getState', -13011);
  });
});

describe('removeState', () => {
  it('sample (rtm.Presence run as rtm.presence): the listed keys go, Tony hears the rest', async () => {
    const { rtm, tonyEvents } = await seedWorld();
    await rtm.subscribe('chat_room');
    await rtm.presence.setState('chat_room', 'MESSAGE', { mood: 'pumped', mode: 'dark', Typing: 'yes' });
    tonyEvents.take();
    const options = {
      states: ['mode', 'Typing'],
    };
    const result = await rtm.presence.removeState('chat_room', 'MESSAGE', options);
    console.log(result);
    assert.deepEqual(result, { timestamp: await control.now() });
    assert.deepEqual(await control.stateOf('me', 'chat_room', 'MESSAGE'), { mood: 'pumped' });
    assert.deepEqual(
      tonyEvents.take().map((e) => [e.eventType, e.publisher, e.stateChanged]),
      [['REMOTE_STATE_CHANGED', 'me', { mood: 'pumped' }]],
    );
  });

  it('sample after the setState sample: the keys differ, nothing is removed, one event (R-S2, R-S5)', async () => {
    const { rtm, tonyEvents } = await seedWorld();
    await rtm.subscribe('chat_room');
    const state = { mood: 'pumped', isTyping: 'false' };
    await rtm.presence.setState('chat_room', 'MESSAGE', state);
    tonyEvents.take();
    const options = {
      states: ['mode', 'Typing'],
    };
    const result = await rtm.presence.removeState('chat_room', 'MESSAGE', options);
    assert.deepEqual(result, { timestamp: await control.now() });
    assert.deepEqual(await control.stateOf('me', 'chat_room', 'MESSAGE'), state);
    assert.deepEqual(
      tonyEvents.take().map((e) => [e.eventType, e.publisher, e.stateChanged]),
      [['REMOTE_STATE_CHANGED', 'me', state]],
    );
  });
});

// The seed's `type ... = {...}` declarations.
const WHO_NOW_RESPONSE = {
  timestamp: 'number',
  totalOccupancy: 'number',
  occupants: [{ states: 'object', userId: 'string', statesCount: 'number' }],
  nextPage: 'string',
};
const WHERE_NOW_RESPONSE = {
  timestamp: 'number',
  totalChannel: 'number',
  channels: [{ channelName: 'string', channelType: 'string' }],
};
const SET_STATE_RESPONSE = { timestamp: 'number' };
const GET_STATE_RESPONSE = {
  timestamp: 'number',
  userId: 'string',
  states: 'object',
  statesCount: 'number',
};
const REMOVE_STATE_RESPONSE = { timestamp: 'number' };
const ERROR_INFO = { error: 'boolean', operation: 'string', errorCode: 'number', reason: 'string' };

describe('the seed types', () => {
  it('responses have the shapes of WhoNowResponse ... RemoveStateResponse', async () => {
    const { rtm, tony } = await seedWorld();
    await tony.createStreamChannel('chat_room').join();
    const presence = rtm.presence;

    const who = await presence.whoNow('chat_room', 'MESSAGE', { includedState: true });
    checkShape(who, WHO_NOW_RESPONSE);
    assert.deepEqual(who.occupants[0].states, { mood: 'calm' });
    checkShape(await presence.whoNow('chat_room', 'MESSAGE'), WHO_NOW_RESPONSE);
    checkShape(await presence.whoNow('chat_room', 'MESSAGE', { includedUserId: false }), WHO_NOW_RESPONSE);

    const where = await presence.whereNow('Tony');
    checkShape(where, WHERE_NOW_RESPONSE);
    assert.equal(where.channels.length, 2);
    assert.equal(where.totalChannel, 2);

    checkShape(await presence.setState('chat_room', 'MESSAGE', { k: 'v' }), SET_STATE_RESPONSE);
    checkShape(await presence.getState('Tony', 'chat_room', 'MESSAGE'), GET_STATE_RESPONSE);
    checkShape(
      await presence.removeState('chat_room', 'MESSAGE', { states: ['k'] }),
      REMOVE_STATE_RESPONSE,
    );
  });

  const cases = [
    ['whoNow', ['chat_room', 'MESSAGE', { page: 'yourBookMark' }], -13003],
    ['whereNow', ['null'], -10006],
    ['setState', ['chat_room', 'MESSAGE', { isTyping: false }], -13007],
    ['getState', ['Tony', 'chat_room', 'USER'], -10019],
    ['removeState', ['chat_room', 'MESSAGE', { states: [''] }], -13006],
  ];
  for (const [method, args, code] of cases) {
    it(`${method} failures have the ErrorInfo shape`, async () => {
      const { rtm } = await seedWorld();
      let caught = null;
      try {
        await rtm.presence[method](...args);
      } catch (status) {
        caught = status;
      }
      checkShape({ ...caught }, ERROR_INFO);
      checkShape(JSON.parse(JSON.stringify(caught)), ERROR_INFO);
      assert.equal(caught.error, true);
      assert.equal(caught.operation, method);
      assert.equal(caught.errorCode, code);
      assert.ok(caught instanceof Error);
    });
  }
});
