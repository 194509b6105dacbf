// What the client decides without the Python server: the constructor's checks (R-C1,
// R-C2, -10027, R-C3), the EventEmitter surface (R-C5), the error objects built from the
// server's frames (R-X1..R-X3), setParameter / constantsType / createStreamChannel, and
// the protocol details (config forwarding, acks, app ids), against a scripted fake server.

import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import AgoraRTM, {
  CLIENT_VERSION,
  EmulatorControl,
  EventEmitter,
  RTMBaseError,
  RtmInvalidArgumentError,
  RtmInvalidStatusError,
  RtmLimitExceededError,
  RtmUnavailableError,
  closeAllConnections,
  constantsType,
} from '../index.js';
import { APP_ID, REASON, assertErrorInfo, fakeServer, rejects, sdkErrorKeys, throws } from './helpers.js';

const URL_CONFIG = { emulatorUrl: 'ws://127.0.0.1:1' };
let serial = 0;
/** A user id no other test used (-10027 is per runtime, R-T4). */
const fresh = (prefix = 'u') => `${prefix}${(serial += 1)}`;

/** Run `fn` with IGNORE_DUPLICATE_USER_ID_ERR set to `value`, then restore false. */
function withDuplicates(value, fn) {
  AgoraRTM.setParameter('IGNORE_DUPLICATE_USER_ID_ERR', value);
  try {
    return fn();
  } finally {
    AgoraRTM.setParameter('IGNORE_DUPLICATE_USER_ID_ERR', false);
  }
}

after(async () => {
  await closeAllConnections();
});

describe('the constructor is synchronous and checks like the SDK (R-C1, R-C2, R-T4)', () => {
  it('R-C2: an app id that is not 32 ASCII letters or digits throws -10003 RtmUnavailableError (initRTM)', () => {
    for (const bad of ['', 'my-app', APP_ID.slice(1), `${APP_ID}0`, `${APP_ID.slice(1)}-`, 12345, null, undefined]) {
      const err = throws(() => new AgoraRTM.RTM(bad, fresh(), URL_CONFIG), 'initRTM', -10003);
      assert.equal(err.name, 'RtmUnavailableError');
      assert.ok(err instanceof RtmUnavailableError);
      assert.match(err.detail, /32 ASCII letters or digits/);
    }
    // any letters or digits, not only hex
    new AgoraRTM.RTM('0123456789ABCDEFGHIJKLMNOPQRSTUV', fresh(), URL_CONFIG);
  });

  it('R-C1: user ids of 1-64 allowed characters, no leading "_"; anything else is -10006 RtmInvalidArgumentError', () => {
    const good = ['null', 'undefined', 'a_', ' ', 'a b', '123', 'a'.repeat(64), '!#$%&()+,-:;<=>?@[]^_{|}~'];
    for (const userId of good) {
      withDuplicates(true, () => new AgoraRTM.RTM(APP_ID, userId, URL_CONFIG));
    }
    const bad = ['a.b', 'a'.repeat(65), '_a', 'é', 'a*b', 'a/b', 'a`b', "a'b", 'a"b', 'a\\b', '', 123, null, undefined, {}];
    for (const userId of bad) {
      const err = throws(() => new AgoraRTM.RTM(APP_ID, userId, URL_CONFIG), 'initRTM', -10006);
      assert.ok(err instanceof RtmInvalidArgumentError);
      assert.equal(err.reason, REASON[-10006]);
      assert.ok(err.detail.includes(JSON.stringify(userId) ?? String(userId)), err.detail);
    }
  });

  it('the app id is checked before the user id, the user id before the duplicate', () => {
    throws(() => new AgoraRTM.RTM('bad', 'a.b', URL_CONFIG), 'initRTM', -10003);
    const userId = fresh();
    new AgoraRTM.RTM(APP_ID, userId, URL_CONFIG);
    throws(() => new AgoraRTM.RTM('bad', userId, URL_CONFIG), 'initRTM', -10003);
  });

  it('a second client of the same app id and user id in this runtime is -10027, ever (R-T4)', () => {
    const userId = fresh();
    new AgoraRTM.RTM(APP_ID, userId, URL_CONFIG);
    const err = throws(() => new AgoraRTM.RTM(APP_ID, userId, URL_CONFIG), 'initRTM', -10027);
    assert.equal(err.reason, REASON[-10027]);
    assert.match(err.detail, /IGNORE_DUPLICATE_USER_ID_ERR/);
    // another app id, or another user id, is another client
    new AgoraRTM.RTM('0123456789abcdef0123456789ABCDEF', userId, URL_CONFIG);
    new AgoraRTM.RTM(APP_ID, `${userId}x`, URL_CONFIG);
    // and a client that failed to construct was never registered
    const failed = fresh();
    throws(() => new AgoraRTM.RTM(APP_ID, failed, { ...URL_CONFIG, useStringUserId: false }), 'initRTM', -10006);
    new AgoraRTM.RTM(APP_ID, failed, URL_CONFIG);
  });

  it('setParameter("IGNORE_DUPLICATE_USER_ID_ERR", true) lets a suite reuse user ids, like the SDK', () => {
    const userId = fresh();
    new AgoraRTM.RTM(APP_ID, userId, URL_CONFIG);
    withDuplicates(true, () => {
      assert.equal(AgoraRTM.getParameter('IGNORE_DUPLICATE_USER_ID_ERR'), true);
      new AgoraRTM.RTM(APP_ID, userId, URL_CONFIG);
      new AgoraRTM.RTM(APP_ID, userId, URL_CONFIG);
    });
    throws(() => new AgoraRTM.RTM(APP_ID, userId, URL_CONFIG), 'initRTM', -10027);
  });

  it('useStringUserId: false needs a non-negative integer user id (-10006)', () => {
    new AgoraRTM.RTM(APP_ID, `${4200 + (serial += 1)}`, { ...URL_CONFIG, useStringUserId: false });
    for (const userId of ['abc', '-1', '1.5']) {
      throws(() => new AgoraRTM.RTM(APP_ID, userId, { ...URL_CONFIG, useStringUserId: false }), 'initRTM', -10006);
    }
  });

  it('R-C3: unknown config keys and a token are accepted; a missing or non-object config is fine', () => {
    new AgoraRTM.RTM(APP_ID, fresh(), { ...URL_CONFIG, token: 'x', mystery: { a: 1 }, presenceTimeout: 'soon' });
    process.env.RTM_EMULATOR_URL = 'ws://127.0.0.1:1';
    try {
      new AgoraRTM.RTM(APP_ID, fresh());
      new AgoraRTM.RTM(APP_ID, fresh(), null);
      new AgoraRTM.RTM(APP_ID, fresh(), 'x');
    } finally {
      delete process.env.RTM_EMULATOR_URL;
    }
  });

  it('no emulator URL at all is a -10014 at construction (emulator-only)', () => {
    const saved = process.env.RTM_EMULATOR_URL;
    delete process.env.RTM_EMULATOR_URL;
    try {
      const err = throws(() => new AgoraRTM.RTM(APP_ID, fresh()), 'initRTM', -10014);
      assert.match(err.detail, /emulatorUrl/);
    } finally {
      if (saved !== undefined) process.env.RTM_EMULATOR_URL = saved;
    }
  });
});

describe('errors are the SDK RTMBaseError objects (R-X1, R-X2)', () => {
  it('own enumerable fields, JSON, message, name and prototype chain are the SDK error\'s', () => {
    const err = throws(() => new AgoraRTM.RTM('bad', fresh(), URL_CONFIG), 'initRTM', -10003);
    assert.deepEqual(Object.keys(err), sdkErrorKeys('RtmUnavailableError'));
    assert.deepEqual(JSON.parse(JSON.stringify(err)), {
      code: -10003,
      error: true,
      reason: REASON[-10003],
      operation: 'initRTM',
      errorCode: -10003,
      name: 'RtmUnavailableError',
    });
    assert.equal(err.message, `Error Code -10003 - ${REASON[-10003]}`);
    assert.equal(String(err), `RtmUnavailableError: Error Code -10003 - ${REASON[-10003]}`);
    assert.match(err.stack, /^RtmUnavailableError: Error Code -10003/);
    assert.equal(Object.prototype.toString.call(err), '[object Error]');
    assert.ok(err instanceof AgoraRTM.RTMBaseError && err instanceof Error);
    assert.equal(Object.getPrototypeOf(Object.getPrototypeOf(err)), RTMBaseError.prototype);
    // the emulator's detail is there, but not enumerable
    assert.equal(Object.getOwnPropertyDescriptor(err, 'detail').enumerable, false);
  });

  it("RTMBaseError takes the SDK's constructor arguments", () => {
    const formatted = new RTMBaseError('op', ['a %s b %d %j %%', 'x', '3', { q: 1 }, 'extra'], {
      code: -1,
      serverCode: 9,
    });
    assert.deepEqual(
      [formatted.reason, formatted.message, formatted.code, formatted.serverCode, formatted.errorCode],
      ['a x b 3 {"q":1} % extra.', 'Error Code -1, server Code 9 - a x b 3 {"q":1} % extra.', -1, 9, -1],
    );
    const named = new RTMBaseError('o', 'r', 'MyName');
    assert.deepEqual([named.name, named.message, named.errorCode, named.code], ['MyName', 'r.', 0, undefined]);
    assert.deepEqual(JSON.parse(JSON.stringify(new RTMBaseError())), {
      error: true,
      reason: '',
      operation: '',
      errorCode: 0,
    });
    const numbered = new RtmLimitExceededError('presenceSetState', 'ends.', -13005);
    assert.deepEqual([numbered.name, numbered.message], ['RtmLimitExceededError', 'Error Code -13005 - ends.']);
  });
});

describe('the EventEmitter surface (R-C5)', () => {
  it('addEventListener takes any event name; only a listener that is not a function is a TypeError', () => {
    const rtm = new AgoraRTM.RTM(APP_ID, fresh(), URL_CONFIG);
    for (const name of ['presence', 'linkState', 'message', 'presense', 'whatever', '', undefined, Symbol('s')]) {
      assert.equal(rtm.addEventListener(name, () => {}), undefined);
      rtm.removeEventListener(name, () => {});
    }
    for (const [bad, type] of [
      [undefined, 'undefined'],
      [null, 'object'],
      ['nope', 'string'],
      [5, 'number'],
      [{}, 'object'],
    ]) {
      const message = `The "listener" argument must be of type Function. Received type ${type}`;
      assert.throws(() => rtm.addEventListener('presence', bad), { name: 'TypeError', message });
      assert.throws(() => rtm.removeEventListener('presence', bad), { name: 'TypeError', message });
      assert.throws(() => rtm.on('presence', bad), { name: 'TypeError', message });
    }
    assert.throws(() => rtm.addEventListener(), TypeError);
  });

  it("the client is the SDK's EventEmitter: on/once/off/emit/... act on the client object itself", () => {
    const rtm = new AgoraRTM.RTM(APP_ID, fresh(), URL_CONFIG);
    assert.ok(rtm instanceof EventEmitter);
    // like the SDK's client, addListener / removeListener are hidden
    assert.equal(rtm.addListener, undefined);
    assert.equal(rtm.removeListener, undefined);
    const seen = [];
    const f = (...args) => seen.push(['f', ...args]);
    const g = (...args) => seen.push(['g', ...args]);
    assert.equal(rtm.on('a', f), rtm);
    assert.equal(rtm.once('a', g), rtm);
    assert.equal(rtm.prependListener('a', g), rtm);
    assert.deepEqual(rtm.listeners('a'), [g, f, g]);
    assert.equal(rtm.rawListeners('a')[2] === g, false); // the once wrapper
    assert.equal(rtm.rawListeners('a')[2].listener, g);
    assert.equal(rtm.listenerCount('a'), 3);
    assert.deepEqual(rtm.eventNames(), ['a']);
    // As in the SDK, a `once` listener of the client fails when fired (its wrapper calls
    // the hidden removeListener): the emit stops there and returns false.
    assert.equal(rtm.emit('a', 1, 2), false);
    assert.deepEqual(seen.splice(0), [
      ['g', 1, 2],
      ['f', 1, 2],
    ]);
    assert.equal(rtm.listenerCount('a'), 3);
    assert.equal(rtm.emit('nobody'), true); // the SDK's emit returns true without listeners
    assert.equal(rtm.off('a', g), rtm); // the last registration of g: the once wrapper
    assert.equal(rtm.off('a', g), rtm);
    assert.deepEqual(rtm.listeners('a'), [f]);
    assert.equal(rtm.emit('a', 3), true);
    assert.deepEqual(seen.splice(0), [['f', 3]]);
    assert.equal(rtm.removeAllListeners(), rtm);
    assert.deepEqual(rtm.eventNames(), []);
    assert.equal(rtm.getMaxListeners(), 10);
    assert.equal(rtm.setMaxListeners(3), rtm);
    assert.equal(rtm.getMaxListeners(), 3);
    assert.throws(() => rtm.setMaxListeners(-1), {
      name: 'RangeError',
      message: 'The value of "n" is out of range. It must be a non-negative number. Received -1.',
    });
    // addEventListener registers elsewhere: the client's own emitter does not see it
    rtm.addEventListener('presence', f);
    assert.deepEqual(rtm.eventNames(), []);
  });

  it("a listener that throws is caught: emit returns false and the next listeners do not run (the SDK's emit)", () => {
    const rtm = new AgoraRTM.RTM(APP_ID, fresh(), { ...URL_CONFIG, logLevel: 'none' });
    const seen = [];
    rtm.on('x', () => seen.push(1));
    rtm.on('x', () => {
      throw new Error('boom');
    });
    rtm.on('x', () => seen.push(3));
    assert.equal(rtm.emit('x'), false);
    assert.deepEqual(seen, [1]);
    // 'error' without a listener throws inside, which the SDK's emit also catches
    assert.equal(rtm.emit('error', new Error('e')), false);
  });

  it('a plain EventEmitter keeps Node semantics: newListener / removeListener events, unhandled error', () => {
    const e = new EventEmitter();
    const log = [];
    e.on('newListener', (name) => log.push(['new', name]));
    e.on('removeListener', (name) => log.push(['removed', name]));
    const h = () => {};
    e.on('a', h);
    e.off('a', h);
    assert.deepEqual(log, [
      ['new', 'removeListener'],
      ['new', 'a'],
      ['removed', 'a'],
    ]);
    assert.equal(e.emit('a'), false);
    const calls = [];
    e.once('b', (x) => calls.push(x));
    e.prependOnceListener('b', (x) => calls.push(`first ${x}`));
    assert.equal(e.emit('b', 1), true);
    assert.equal(e.emit('b', 2), false);
    assert.deepEqual(calls, ['first 1', 1]);
    assert.throws(() => e.emit('error', new Error('e1')), { message: 'e1' });
    assert.throws(() => e.emit('error', { message: 'm' }), { message: 'Unhandled error. (m)' });
  });
});

describe('the default export and module statics', () => {
  it("has the SDK's members (BUILD, VERSION, RTM, getParameter, setArea, setParameter, constantsType, RTMBaseError)", () => {
    assert.deepEqual(Object.keys(AgoraRTM), [
      'BUILD',
      'VERSION',
      'RTM',
      'getParameter',
      'setArea',
      'setParameter',
      'constantsType',
      'RTMBaseError',
      'EmulatorControl',
    ]);
    assert.equal(AgoraRTM.VERSION, '2.3.0');
    assert.equal(AgoraRTM.BUILD, `rtm-emulator-client ${CLIENT_VERSION}`);
    assert.equal(AgoraRTM.constantsType, constantsType);
  });

  it('constantsType holds the SDK enums', () => {
    assert.ok(Object.isFrozen(constantsType));
    assert.equal(Object.getPrototypeOf(constantsType), null);
    assert.deepEqual(constantsType.ChannelTypeEnum, {
      1: 'MESSAGE',
      2: 'STREAM',
      3: 'USER',
      MESSAGE: 1,
      STREAM: 2,
      USER: 3,
    });
    assert.equal(constantsType.LinkStateChangeReason4Report.SAME_UID_LOGIN, 27);
    assert.equal(constantsType.LinkStateChangeReason4Report[27], 'SAME_UID_LOGIN');
    assert.equal(constantsType.LinkStateChangeReasonDescription.SAME_UID_LOGIN, 'The same uid login on another device');
    assert.equal(Object.keys(constantsType.LinkStateChangeReasonDescription).length, 38);
    assert.equal(constantsType.AreaCode.NORTH_AMERICA, 'NORTH_AMERICA');
  });

  it('setParameter checks keys and types like the SDK (-10014, "set parameter"); getParameter gives defaults', () => {
    const unknown = throws(() => AgoraRTM.setParameter('FOO', 1), 'set parameter', -10014);
    assert.match(unknown.detail, /FOO/);
    throws(() => AgoraRTM.setParameter('HEART_BEAT', '5000'), 'set parameter', -10014);
    throws(() => AgoraRTM.setParameter('PRESENCE_MODE', 3), 'set parameter', -10014);
    throws(() => AgoraRTM.setParameter('TDS_DOMAINS', [1]), 'set parameter', -10014);
    assert.equal(AgoraRTM.getParameter('FOO'), undefined);
    assert.equal(AgoraRTM.getParameter('MAX_STATE_COUNT'), 32);
    assert.equal(AgoraRTM.getParameter('ENABLE_API_RATE_LIMIT'), true);
    assert.equal(AgoraRTM.getParameter('API_RATE_LIMIT').get('modifyState'), 20);
    AgoraRTM.setParameter('MIN_RECONNECT_TIMEOUT_IN_SECONDS', 1); // clamped to 15
    assert.equal(AgoraRTM.getParameter('MIN_RECONNECT_TIMEOUT_IN_SECONDS'), 15);
    AgoraRTM.setParameter('PRESENCE_THRESHOLD', 0); // 0 is unset
    assert.equal(AgoraRTM.getParameter('PRESENCE_THRESHOLD'), undefined);
    AgoraRTM.setParameter('EXTEND_CHANNEL_NAME', 'yes'); // not type-checked, as in the SDK
    assert.equal(AgoraRTM.getParameter('EXTEND_CHANNEL_NAME'), 'yes');
    AgoraRTM.setParameter('EXTEND_CHANNEL_NAME', false);
    assert.ok(AgoraRTM.getParameter('VID') instanceof Map);
  });

  it('setArea checks its argument like the SDK', () => {
    AgoraRTM.setArea({ areaCodes: ['GLOBAL'] });
    assert.deepEqual(AgoraRTM.getParameter('AREA_CONFIG'), { areaCodes: ['GLOBAL'], excludedArea: undefined });
    const bad = assert.throws.bind(null, () => AgoraRTM.setArea({ areaCodes: ['XX'] }));
    bad((err) => {
      assert.deepEqual(JSON.parse(JSON.stringify(err)), {
        error: true,
        reason: 'Invalid area config.',
        operation: 'setArea',
        errorCode: 0,
        name: 'RtmInvalidArgumentError',
      });
      return true;
    });
    assert.throws(() => AgoraRTM.setArea({ areaCodes: ['ASIA'], excludedArea: 'ASIA' }), {
      reason: 'Excluded area cannot be in areaCodes.',
    });
    assert.throws(() => AgoraRTM.setArea(), { name: 'TypeError' });
    AgoraRTM.setArea({ areaCodes: [] });
    assert.equal(AgoraRTM.getParameter('AREA_CONFIG'), undefined);
  });
});

describe('createStreamChannel checks the name at once', () => {
  it('a bad name throws -10008 (operation createStreamChannel); one handle per name', () => {
    const rtm = new AgoraRTM.RTM(APP_ID, fresh(), URL_CONFIG);
    for (const bad of ['a.b', '_x', '', 'a'.repeat(65), 'a`b', 5, undefined]) {
      throws(() => rtm.createStreamChannel(bad), 'createStreamChannel', -10008);
    }
    const stage = rtm.createStreamChannel('stage');
    assert.equal(rtm.createStreamChannel('stage'), stage);
    assert.notEqual(rtm.createStreamChannel('other'), stage);
    assert.equal(stage.channelName, 'stage');
    assert.ok(stage instanceof EventEmitter);
    assert.equal(stage.addListener, undefined);
  });

  it('setParameter("EXTEND_CHANNEL_NAME", true) also allows "." and "`" (still no leading "_")', () => {
    const rtm = new AgoraRTM.RTM(APP_ID, fresh(), URL_CONFIG);
    AgoraRTM.setParameter('EXTEND_CHANNEL_NAME', true);
    try {
      assert.equal(rtm.createStreamChannel('a.b').channelName, 'a.b');
      rtm.createStreamChannel('a`b');
      throws(() => rtm.createStreamChannel('_a'), 'createStreamChannel', -10008);
    } finally {
      AgoraRTM.setParameter('EXTEND_CHANNEL_NAME', false);
    }
    throws(() => rtm.createStreamChannel('c.d'), 'createStreamChannel', -10008);
  });
});

describe('frames from the server (fake server)', () => {
  let fake;
  beforeEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  after(async () => {
    await fake?.close();
  });

  it('an RTM error frame becomes the SDK error of its class, with serverCode and the non-enumerable detail', async () => {
    fake = await fakeServer((req) => {
      if (req.method === 'subscribe') {
        return {
          error: {
            error: true,
            code: -11021,
            errorCode: -11021,
            operation: 'subscribe',
            reason: 'Subscribe channel failed.',
            name: 'RtmUnavailableError',
            serverCode: 7,
            detail: 'channel room is full',
          },
        };
      }
      return {
        error: {
          error: true,
          code: -13005,
          errorCode: -13005,
          operation: 'presenceSetState',
          reason: REASON[-13005],
          name: 'RtmLimitExceededError',
          detail: '33 keys',
        },
      };
    });
    const rtm = new AgoraRTM.RTM(APP_ID, fresh(), { emulatorUrl: fake.url });
    const sub = await rtm.subscribe('room').catch((e) => e);
    assert.ok(sub instanceof RtmUnavailableError);
    assert.deepEqual(JSON.parse(JSON.stringify(sub)), {
      code: -11021,
      serverCode: 7,
      error: true,
      reason: 'Subscribe channel failed.',
      operation: 'subscribe',
      errorCode: -11021,
      name: 'RtmUnavailableError',
    });
    assert.equal(sub.message, 'Error Code -11021, server Code 7 - Subscribe channel failed.');
    assert.equal(sub.detail, 'channel room is full');
    const set = await rejects(rtm.presence.setState('room', 'MESSAGE', {}), 'presenceSetState', -13005);
    assert.ok(set instanceof RtmLimitExceededError);
    assert.equal(set.detail, '33 keys');
  });

  it('an error frame without a name (older server) gets the SDK class of its code', async () => {
    fake = await fakeServer((req) => ({
      error: {
        error: true,
        operation: req.method.split('.').pop(),
        errorCode: req.method === 'login' ? -10025 : -13006,
        reason: 'x',
      },
    }));
    const rtm = new AgoraRTM.RTM(APP_ID, fresh(), { emulatorUrl: fake.url });
    const login = await rtm.login().catch((e) => e);
    assert.ok(login instanceof RtmInvalidStatusError);
    const remove = await rtm.presence.removeState('r', 'MESSAGE').catch((e) => e);
    assert.ok(remove instanceof RtmInvalidArgumentError);
    assert.equal(remove.code, -13006);
  });

  it('R-X3: an exception frame is a real TypeError / DOMException with the message', async () => {
    fake = await fakeServer((req) => {
      if (req.method === 'presence.setState') {
        return { exception: { name: 'TypeError', message: 'Cannot convert undefined or null to object' } };
      }
      return { exception: { name: 'InvalidCharacterError', message: 'Invalid character' } };
    });
    const rtm = new AgoraRTM.RTM(APP_ID, fresh(), { emulatorUrl: fake.url });
    const typeError = await rtm.presence.setState('room', 'MESSAGE', null).catch((e) => e);
    assert.equal(Object.getPrototypeOf(typeError), TypeError.prototype);
    assert.equal(typeError.message, 'Cannot convert undefined or null to object');
    assert.ok(!(typeError instanceof RTMBaseError));
    const domError = await rtm.presence.whoNow('room', 'MESSAGE', { page: '!!!' }).catch((e) => e);
    assert.ok(domError instanceof DOMException);
    assert.deepEqual([domError.name, domError.message, domError.code], ['InvalidCharacterError', 'Invalid character', 5]);
  });

  it('a protocol error (-32xxx) is an RTMBaseError named RtmEmulatorProtocolError', async () => {
    fake = await fakeServer((req) => ({
      error: { error: true, operation: req.method, errorCode: -32601, reason: 'unknown method' },
    }));
    const rtm = new AgoraRTM.RTM(APP_ID, fresh(), { emulatorUrl: fake.url });
    const err = await rtm.login().catch((e) => e);
    assert.ok(err instanceof RTMBaseError);
    assert.deepEqual([err.name, err.errorCode, err.reason], ['RtmEmulatorProtocolError', -32601, 'unknown method.']);
  });

  it('the socket opens on the first call with hello {appId, userId, config, ack, topicView}; config has no emulatorUrl', async () => {
    fake = await fakeServer();
    const userId = fresh();
    const rtm = new AgoraRTM.RTM(APP_ID, userId, { emulatorUrl: fake.url, presenceTimeout: 20, token: 't' });
    assert.deepEqual(fake.requests, []);
    assert.deepEqual(await rtm.login({ token: 'abc' }), { timestamp: 0 });
    const [hello, login] = fake.requests;
    assert.deepEqual(hello.params, {
      appId: APP_ID,
      userId,
      config: { presenceTimeout: 20, token: 't' },
      ack: true,
      topicView: true,
    });
    assert.deepEqual([login.method, login.params], ['login', [{ token: 'abc' }]]);
    await rtm.presence.whoNow('room', 'MESSAGE');
    assert.deepEqual(fake.calls('presence.whoNow')[0].params, ['room', 'MESSAGE']);
  });

  it('events reach addEventListener listeners (not rtm.on), listener errors are contained, the ack follows', async () => {
    const linkEvent = {
      currentState: 'CONNECTED',
      previousState: 'CONNECTING',
      serviceType: 'STREAM',
      operation: 'JOIN',
      reason: 'Join channel success',
      reasonCode: 'JOIN_SUCCESS',
      affectedChannels: ['stage'],
      unrestoredChannels: [],
      isResumed: false,
      timestamp: 1,
    };
    fake = await fakeServer((req, peer) => {
      peer.send({ type: 'event', name: 'linkState', data: linkEvent });
      peer.send({ type: 'event', name: 'presence', data: { eventType: 'SNAPSHOT' }, seq: 1, sync: 1 });
      return { result: { timestamp: 0 } };
    });
    const rtm = new AgoraRTM.RTM(APP_ID, fresh(), { emulatorUrl: fake.url, logLevel: 'none' });
    const seen = [];
    const selves = [];
    rtm.on('presence', () => seen.push('on'));
    rtm.addEventListener('linkState', (e) => seen.push(['link', e]));
    rtm.addEventListener('presence', function first(e) {
      selves.push(this);
      seen.push(['presence', e.eventType]);
      throw new Error('an assertion in a listener');
    });
    rtm.addEventListener('presence', () => seen.push('after the throw'));
    await rtm.createStreamChannel('stage').join();
    assert.deepEqual(seen, [
      ['link', linkEvent],
      ['presence', 'SNAPSHOT'],
    ]);
    assert.notEqual(selves[0], rtm);
    // the ack of sync 1 was sent after the listeners ran, before the next request
    await rtm.presence.whoNow('room', 'MESSAGE');
    assert.deepEqual(fake.acks.slice(0, 1), [1]);
    assert.ok(fake.requests.findIndex((r) => r.method === 'presence.whoNow') > 0);
  });

  it('an unreachable server rejects with the SDK -10025 (RtmInvalidStatusError), the detail naming the URL', async () => {
    const rtm = new AgoraRTM.RTM(APP_ID, fresh(), { emulatorUrl: 'ws://127.0.0.1:1' });
    const err = await rejects(rtm.login(), 'login', -10025);
    assert.match(err.detail, /127\.0\.0\.1:1/);
  });

  it('EmulatorControl without an appId leaves the app to the server (its DEFAULT_APP_ID)', async () => {
    fake = await fakeServer(() => ({ result: {} }));
    const control = new EmulatorControl(fake.url);
    assert.equal(control.appId, undefined);
    await control.disconnect('bob');
    await control.disconnect('bob', { appId: APP_ID });
    const withApp = new EmulatorControl(fake.url, { appId: APP_ID });
    await withApp.onlineUsers('room', 'MESSAGE');
    assert.deepEqual(
      fake.requests.filter((r) => r.method.startsWith('control.')).map((r) => [r.method, r.params]),
      [
        ['control.disconnect', { userId: 'bob' }],
        ['control.disconnect', { userId: 'bob', appId: APP_ID }],
        ['control.onlineUsers', { channelName: 'room', channelType: 'MESSAGE', appId: APP_ID }],
      ],
    );
    await control.close();
    await withApp.close();
  });
});

// assertErrorInfo is used by the other suites; check that it fails on a wrong shape.
describe('the suites\' error assertion', () => {
  it('rejects a plain object, a wrong class and a wrong code', () => {
    const plain = { error: true, operation: 'x', errorCode: -10006, reason: REASON[-10006] };
    assert.throws(() => assertErrorInfo(plain, 'x', -10006));
    const wrongClass = new RtmUnavailableError('x', REASON[-10006], -10006);
    assert.throws(() => assertErrorInfo(wrongClass, 'x', -10006));
    const right = new RtmInvalidArgumentError('x', REASON[-10006], -10006);
    assertErrorInfo(right, 'x', -10006);
    assert.throws(() => assertErrorInfo(right, 'x', -10008));
  });
});
