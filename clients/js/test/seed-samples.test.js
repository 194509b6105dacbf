// The JS samples of seed-presence-web-api.zh.txt (the Web SDK presence reference), run
// against the emulator server through rtm-emulator-client, as written: `rtm` is a
// logged-in client, and each sample's `try { ... } catch (status) { ... }` is kept.
// Mirrors tests/conformance/test_seed_samples.py; each test names the seed's typos it
// corrects (`rtm.Presence` run as `rtm.presence`, `const.log` as `console.log`).
// Revision 2: the outcomes are the SDK runtime's (timestamps 0, R-Q7; values not
// type-checked, R-S1; the bookmark is base64, R-Q3).

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
  it('sample as written: "yourBookMark" is valid base64, the page starts after the id it decodes to (R-Q3)', async () => {
    const { rtm } = await seedWorld();
    const options = {
      includedUserId: true,
      includedState: true,
      page: 'yourBookMark',
    };
    let result = null;
    try {
      result = await rtm.presence.whoNow('chat_room', 'MESSAGE', options);
      console.log(result);
    } catch (status) {
      console.log(status);
      throw status;
    }
    // atob("yourBookMark") starts with "\xca", after "Tony": nothing left; the total is the channel's (R-Q4)
    assert.deepEqual(result, { timestamp: 0, totalOccupancy: 1, occupants: [], nextPage: '' });
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
        timestamp: 0,
        totalOccupancy: 1,
        occupants: [{ states: { mood: 'calm' }, userId: 'Tony', statesCount: 1 }],
        nextPage: '',
      });
    });
  }

  it('sample with the nextPage the service returned (pages of announceMax users, R-Q3)', async () => {
    await control.reset({ announceMax: 8 });
    const { rtm } = await seedWorld();
    const others = ['Amy', 'Bob', 'Cat', 'Dan', 'Eve', 'Fay', 'Gus', 'Hal', 'Zoe'];
    for (const uid of others) {
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
      others.slice(0, 8),
    );
    assert.equal(first.totalOccupancy, 10);
    assert.equal(first.nextPage, Buffer.from('Hal').toString('base64'));
    const options = {
      includedUserId: true,
      includedState: true,
      page: first.nextPage,
    };
    const result = await rtm.presence.whoNow('chat_room', 'MESSAGE', options);
    assert.deepEqual(result, {
      timestamp: 0,
      totalOccupancy: 10,
      occupants: [
        { states: { mood: 'calm' }, userId: 'Tony', statesCount: 1 },
        { states: {}, userId: 'Zoe', statesCount: 0 },
      ],
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
      timestamp: 0,
      totalChannel: 2,
      channels: [
        { channelName: 'chat_room', channelType: 'MESSAGE' },
        { channelName: 'chat_room', channelType: 'STREAM' },
      ],
    });
  });
});

describe('setState', () => {
  it('sample (rtm.Presence run as rtm.presence): isTyping false is stored as a boolean (R-S1); a write whose last field is falsy is heard by nobody (R-S5)', async () => {
    const { rtm, tonyEvents } = await seedWorld();
    await rtm.subscribe('chat_room');
    tonyEvents.take();
    var newState = { mood: 'pumped', isTyping: false };
    let result;
    try {
      result = await rtm.presence.setState('chat_room', 'MESSAGE', newState);
      console.log(result);
    } catch (status) {
      console.log(status);
      throw status;
    }
    assert.deepEqual(result, { timestamp: 0 });
    assert.deepEqual(await control.stateOf('me', 'chat_room', 'MESSAGE'), { mood: 'pumped', isTyping: false });
    // agora-rtm.js 2.3.0 reports a write when its last field is truthy; here it is false
    assert.deepEqual(tonyEvents.take(), []);
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
      timestamp: 0,
      userId: 'Tony',
      states: { mood: 'pumped', isTyping: 'false' },
      statesCount: 2,
    });
  });

  it('sample when Tony is not in chat_room: asked from outside the channel, {} and no error (R-Q6)', async () => {
    const { rtm, tony } = await seedWorld();
    await tony.unsubscribe('chat_room');
    // within the debounce the document keeps its fields (R-E6)
    assert.deepEqual((await rtm.presence.getState('Tony', 'chat_room', 'MESSAGE')).states, { mood: 'calm' });
    await control.advance(2);
    const result = await rtm.presence.getState('Tony', 'chat_room', 'MESSAGE');
    assert.deepEqual(result, { timestamp: 0, userId: 'Tony', states: {}, statesCount: 0 });
  });

  it('sample when Tony is not in chat_room, the caller listening there: the catch branch, -13011 (R-Q6)', async () => {
    const { rtm, tony } = await seedWorld();
    await rtm.subscribe('chat_room');
    await tony.unsubscribe('chat_room');
    await control.advance(2); // the debounce (R-E6)
    let caught = null;
    try {
      await rtm.presence.getState('Tony', 'chat_room', 'MESSAGE');
    } catch (status) {
      caught = status;
    }
    assertErrorInfo(caught, 'presenceGetState', -13011);
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
    assert.deepEqual(result, { timestamp: 0 });
    assert.deepEqual(await control.stateOf('me', 'chat_room', 'MESSAGE'), { mood: 'pumped' });
    assert.deepEqual(
      tonyEvents.take().map((e) => [e.eventType, e.publisher, e.stateChanged]),
      [['REMOTE_STATE_CHANGED', 'me', { mood: 'pumped' }]],
    );
  });

  it('sample after the setState sample: the keys differ, nothing is removed, no event (R-S2, R-S5)', async () => {
    const { rtm, tonyEvents } = await seedWorld();
    await rtm.subscribe('chat_room');
    const state = { mood: 'pumped', isTyping: false };
    await rtm.presence.setState('chat_room', 'MESSAGE', state);
    tonyEvents.take();
    const options = {
      states: ['mode', 'Typing'],
    };
    const result = await rtm.presence.removeState('chat_room', 'MESSAGE', options);
    assert.deepEqual(result, { timestamp: 0 });
    assert.deepEqual(await control.stateOf('me', 'chat_room', 'MESSAGE'), state);
    assert.deepEqual(tonyEvents.take(), []);
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
/** The seed's ErrorInfo, and the fields the SDK's error adds in its JSON. */
const ERROR_JSON = {
  error: 'boolean',
  operation: 'string',
  errorCode: 'number',
  reason: 'string',
  code: 'number',
  name: 'string',
};

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
    ['whoNow', ['chat_room', 'MESSAGE', { includedUserId: false, includedState: true }], 'whoNow', -13003],
    ['whereNow', ['a.b'], 'whereNow', -10006],
    ['setState', ['chat_room', 'MESSAGE', {}], 'presenceSetState', -13003],
    ['getState', ['Tony', 'chat_room', 'USER'], 'presenceGetState', -10019],
    ['removeState', ['chat_room', 'MESSAGE', { states: [''] }], 'presenceRemoveState', -13006],
  ];
  for (const [method, args, operation, code] of cases) {
    it(`${method} failures are the SDK error (ErrorInfo fields, operation ${operation})`, async () => {
      const { rtm } = await seedWorld();
      let caught = null;
      try {
        await rtm.presence[method](...args);
      } catch (status) {
        caught = status;
      }
      assertErrorInfo(caught, operation, code);
      checkShape(JSON.parse(JSON.stringify(caught)), ERROR_JSON);
    });
  }
});
