// Differential checks against the real agora-rtm-sdk@2.3.0 bundle, loaded in this
// process (no login, no network): for everything the client decides without a server,
// the same input must give the same outcome, error objects compared field by field
// (R-C1, R-C2, R-C5, R-T4's -10027, R-X2), plus constantsType and the default export.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import EMU, { RTMBaseError as EmuBaseError } from '../index.js';
import { APP_ID, loadRealSdk, silently } from './helpers.js';

const SDK = loadRealSdk();
const CONFIG = { logLevel: 'none', emulatorUrl: 'ws://127.0.0.1:1' };

/** What an app can observe of `fn()`'s outcome: the return kind, or the thrown object. */
function outcome(fn) {
  try {
    const value = silently(fn);
    return { returned: value === undefined ? 'undefined' : typeof value };
  } catch (err) {
    if (!(err instanceof Error)) return { thrown: String(err) };
    return {
      kind: Object.prototype.toString.call(err),
      name: err.name,
      message: err.message,
      string: String(err),
      stackHead: String(err.stack).split('\n')[0],
      keys: Object.keys(err),
      json: JSON.stringify(err),
      values: Object.fromEntries(Object.keys(err).map((k) => [k, err[k]])),
    };
  }
}

/** `scenario(M)` run against the SDK and against the client gives the same outcome. */
function same(label, scenario) {
  it(label, () => {
    const expected = outcome(() => scenario(SDK));
    const actual = outcome(() => scenario(EMU));
    assert.deepEqual(actual, expected);
  });
}

let serial = 0;
const fresh = () => `parity${(serial += 1)}`;

describe('constructor (R-C1, R-C2, -10027)', () => {
  const cases = [
    ['empty app id', '', 'alice'],
    ['31-char app id', APP_ID.slice(1), 'alice'],
    ['33-char app id', `${APP_ID}0`, 'alice'],
    ['app id with "-"', `${APP_ID.slice(1)}-`, 'alice'],
    ['numeric app id', 12345, 'alice'],
    ['null app id', null, 'alice'],
    ['bad app id and bad user id', 'bad', 'a.b'],
    ['user id "a.b"', APP_ID, 'a.b'],
    ['user id "_a"', APP_ID, '_a'],
    ['user id of 65 chars', APP_ID, 'a'.repeat(65)],
    ['user id "é"', APP_ID, 'é'],
    ['user id "a*b"', APP_ID, 'a*b'],
    ['user id "a`b"', APP_ID, 'a`b'],
    ['empty user id', APP_ID, ''],
    ['numeric user id', APP_ID, 123],
    ['null user id', APP_ID, null],
    ['undefined user id', APP_ID, undefined],
  ];
  for (const [label, appId, userId] of cases) {
    same(label, (M) => new M.RTM(appId, userId, CONFIG));
  }
  for (const userId of ['null', 'undefined', 'a_', ' ', 'a'.repeat(64), '!#$%&()+,-:;<=>?@[]^_{|}~']) {
    same(`valid user id ${JSON.stringify(userId)}`, (M) => {
      new M.RTM(APP_ID, userId, CONFIG);
    });
  }
  same('the same app id and user id twice', (M) => {
    new M.RTM(APP_ID, 'twice', CONFIG);
    new M.RTM(APP_ID, 'twice', CONFIG);
  });
  same('twice with IGNORE_DUPLICATE_USER_ID_ERR', (M) => {
    M.setParameter('IGNORE_DUPLICATE_USER_ID_ERR', true);
    try {
      new M.RTM(APP_ID, 'ignored', CONFIG);
      new M.RTM(APP_ID, 'ignored', CONFIG);
    } finally {
      M.setParameter('IGNORE_DUPLICATE_USER_ID_ERR', false);
    }
  });
  for (const userId of ['abc', '-1', '42']) {
    same(`useStringUserId false, user id ${userId}`, (M) => {
      new M.RTM(APP_ID, `${userId}`, { ...CONFIG, useStringUserId: false });
    });
  }
  same('unknown config keys and a token', (M) => {
    new M.RTM(APP_ID, 'configured', { ...CONFIG, token: 't', mystery: 1, presenceTimeout: 'x' });
  });
});

describe('EventEmitter surface (R-C5)', () => {
  const make = (M) => new M.RTM(APP_ID, fresh(), CONFIG);
  for (const bad of [undefined, null, 'str', 5, {}]) {
    same(`addEventListener with ${String(bad)}`, (M) => make(M).addEventListener('presence', bad));
    same(`removeEventListener with ${String(bad)}`, (M) => make(M).removeEventListener('presence', bad));
    same(`on with ${String(bad)}`, (M) => make(M).on('presence', bad));
    same(`once with ${String(bad)}`, (M) => make(M).once('presence', bad));
  }
  same('addEventListener of an unknown event name', (M) => make(M).addEventListener('presense', () => {}));
  same('addListener is hidden', (M) => make(M).addListener('x', () => {}));
  same('removeListener is hidden', (M) => make(M).removeListener('x', () => {}));
  same('setMaxListeners(-1)', (M) => make(M).setMaxListeners(-1));
  same('setMaxListeners(NaN)', (M) => make(M).setMaxListeners(Number.NaN));
  it('the same results from the emitter methods', () => {
    const run = (M) =>
      silently(() => {
        const rtm = make(M);
        const seen = [];
        const f = (...a) => seen.push(['f', ...a]);
        const g = (...a) => seen.push(['g', ...a]);
        const out = [rtm.on('a', f) === rtm, rtm.once('a', g) === rtm, rtm.prependOnceListener('a', g) === rtm];
        out.push(rtm.listenerCount('a'), rtm.listeners('a').length, rtm.eventNames());
        out.push(rtm.emit('a', 1), rtm.emit('a', 2), rtm.emit('none'), rtm.emit('error', new Error('e')));
        rtm.on('t', () => {
          throw new Error('boom');
        });
        rtm.on('t', () => seen.push('after'));
        out.push(rtm.emit('t'));
        out.push(rtm.off('a', f) === rtm, rtm.listenerCount('a'), rtm.getMaxListeners());
        out.push(rtm.removeAllListeners() === rtm, rtm.eventNames(), rtm.addEventListener('presence', f));
        return { out, seen };
      });
    assert.deepEqual(run(EMU), run(SDK));
  });
});

describe('createStreamChannel', () => {
  const make = (M) => new M.RTM(APP_ID, fresh(), CONFIG);
  for (const name of ['a.b', '_x', '', 'a'.repeat(65), 'a`b', 5, undefined, 'ok', 'a'.repeat(64)]) {
    same(`createStreamChannel(${JSON.stringify(name)})`, (M) => make(M).createStreamChannel(name));
  }
  same('one handle per name', (M) => {
    const rtm = make(M);
    if (rtm.createStreamChannel('s') !== rtm.createStreamChannel('s')) throw new Error('two handles');
  });
  same('stream addListener is hidden', (M) => make(M).createStreamChannel('s').addListener('x', () => {}));
  same('EXTEND_CHANNEL_NAME', (M) => {
    const rtm = make(M);
    M.setParameter('EXTEND_CHANNEL_NAME', true);
    try {
      rtm.createStreamChannel('a.b');
      rtm.createStreamChannel('a`b');
      rtm.createStreamChannel('_a');
    } finally {
      M.setParameter('EXTEND_CHANNEL_NAME', false);
    }
  });
});

describe('setParameter / getParameter / setArea', () => {
  const sets = [
    ['FOO', 1],
    ['HEART_BEAT', '5000'],
    ['HEART_BEAT', 5000],
    ['PRESENCE_MODE', 3],
    ['PRESENCE_MODE', 2],
    ['TDS_DOMAINS', [1]],
    ['TDS_DOMAINS', 'a'],
    ['ENABLE_API_RATE_LIMIT', 'no'],
    ['API_RATE_LIMIT', new Map([['a', 'b']])],
    ['API_RATE_LIMIT', {}],
    ['LOG_HANDLER', 5],
    ['EDGE_ENV_PORT', 5],
    [undefined, 1],
  ];
  for (const [key, value] of sets) {
    same(`setParameter(${String(key)}, ${JSON.stringify(value) ?? String(value)})`, (M) => M.setParameter(key, value));
  }
  it('the same values read back', () => {
    const run = (M) =>
      silently(() => {
        M.setParameter('MIN_RECONNECT_TIMEOUT_IN_SECONDS', 1);
        M.setParameter('STREAM_CHANNEL_COUNT', 500);
        M.setParameter('PRESENCE_THRESHOLD', 0);
        M.setParameter('PRESENCE_INTERVAL', 3);
        M.setParameter('TDS_DOMAINS', [' a ', '', 'b']);
        M.setParameter('API_RATE_LIMIT', new Map([['whoNow', 5]]));
        const keys = [
          'MIN_RECONNECT_TIMEOUT_IN_SECONDS',
          'STREAM_CHANNEL_COUNT',
          'PRESENCE_THRESHOLD',
          'PRESENCE_INTERVAL',
          'TDS_DOMAINS',
          'MAX_STATE_COUNT',
          'MESSAGE_CHANNEL_COUNT',
          'ENABLE_API_RATE_LIMIT',
          'EXTEND_CHANNEL_NAME',
          'IGNORE_DUPLICATE_USER_ID_ERR',
          'HEART_BEAT',
          'PRESENCE_MODE',
          'DECOUPLE_SYNC',
          'FOO',
        ];
        const values = Object.fromEntries(keys.map((k) => [k, M.getParameter(k)]));
        values.API_RATE_LIMIT = [...M.getParameter('API_RATE_LIMIT')];
        M.setParameter('API_RATE_LIMIT', undefined);
        values.resetLimits = [...M.getParameter('API_RATE_LIMIT')];
        return values;
      });
    assert.deepEqual(run(EMU), run(SDK));
  });
  for (const [label, options] of [
    ['a valid area', { areaCodes: ['GLOBAL'] }],
    ['an unknown area', { areaCodes: ['XX'] }],
    ['areaCodes not an array', 'x'],
    ['excluded GLOBAL', { areaCodes: ['ASIA'], excludedArea: 'GLOBAL' }],
    ['excluded inside', { areaCodes: ['ASIA'], excludedArea: 'ASIA' }],
    ['no argument', undefined],
  ]) {
    same(`setArea: ${label}`, (M) => M.setArea(options));
  }
});

describe('RTMBaseError, constantsType, the default export', () => {
  for (const [label, args] of [
    ['a formatted reason and an info object', ['op', ['a %s b %d %j %% c', 'x', '3', { q: 1 }, 'extra'], { code: -1, serverCode: 9 }]],
    ['no arguments', []],
    ['a name', ['o', 'r', 'MyName']],
    ['a code', ['o', 'ends.', 0]],
    ['an escaped placeholder', ['o', ['%%s %s', 'v']]],
    ['more placeholders than values', ['o', ['%s %s', 'v']]],
  ]) {
    same(`new RTMBaseError: ${label}`, (M) => {
      throw new M.RTMBaseError(...args);
    });
  }
  it('constantsType is the SDK\'s', () => {
    assert.deepEqual(EMU.constantsType, SDK.constantsType);
    assert.deepEqual(
      Object.entries(EMU.constantsType).map(([k, v]) => [k, Object.keys(v)]),
      Object.entries(SDK.constantsType).map(([k, v]) => [k, Object.keys(v)]),
    );
    assert.equal(Object.getPrototypeOf(EMU.constantsType), Object.getPrototypeOf(SDK.constantsType));
    assert.equal(Object.isFrozen(EMU.constantsType), Object.isFrozen(SDK.constantsType));
  });
  it("the default export has the SDK's members, in its order, and VERSION", () => {
    assert.deepEqual(Object.keys(EMU).slice(0, Object.keys(SDK).length), Object.keys(SDK));
    assert.equal(EMU.VERSION, SDK.VERSION);
    for (const key of Object.keys(SDK)) assert.equal(typeof EMU[key], typeof SDK[key], key);
    assert.equal(EMU.RTMBaseError, EmuBaseError);
  });
});
