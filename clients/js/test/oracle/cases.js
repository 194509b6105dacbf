// The oracle's case table, generated as plain data (written to cases.json by `oracle.js
// --update`, so that the Python leg can run the same table).
//
// A case: {id, rule, source, title, actors: {name: {uid, appId?, config?}}, server?:
// {announceMax, interval, rateLimits?}, params?: {SDK parameter: value}, messaging?: true,
// decidedBy?, steps: [...]} (the messaging cases: cases-messaging.js). A step is one of
//   {who, call: "new"}                                   construct the actor's client
//   {who, call: "presence.setState", args: [...]}        an SDK call (args in values.js encoding)
//   {who, call, args, nowait: true}                      start the call, do not wait for it
//   {who, net: "down" | "up"}                            network loss / back
//   {advance: seconds}                                   move time forward
// Sources: "runtime §N" = what agora-rtm.js 2.3.0 does, by topic (§1 state checks, §2 state
// cache, §3 channel limits, §4 whoNow, §5 whereNow/getState, §6 events, §7 check order and
// link-down calls, §8 link states, §10 ids and config); "rule" = an emulator decision.

import { addLockCases } from './cases-lock.js';
import { addMessagingCases } from './cases-messaging.js';
import { addStorageCases } from './cases-storage.js';
import { addTokenCases } from './cases-token.js';
import { actor, call, inRoom, login, nw, ROOM, sub, up } from './lib/steps.js';

const U = { $: 'undefined' };
const rep = (s, n) => ({ $: 'repeat', s, n });
const keys = (n, prefix = 'k', value = 'v') => ({ $: 'keys', n, prefix, value });
const list = (n, prefix = 'k') => ({ $: 'list', n, prefix });
const b64 = (s) => ({ $: 'btoa', s });

const M = 'MESSAGE';
const S = 'STREAM';

/** Id variants (user ids and channel names, runtime §10), each with a short label. */
export const ID_VARIANTS = [
  ['null', 'null'],
  ['undefined-str', 'undefined'],
  ['trail-underscore', 'a_'],
  ['space', ' '],
  ['inner-space', 'a b'],
  ['digits', '123'],
  ['len64', rep('a', 64)],
  ['punct', '!#$%&()+,-:;<=>?@[]^_{|}~'],
  ['dot', 'a.b'],
  ['only-dot', '.'],
  ['len65', rep('a', 65)],
  ['lead-underscore', '_a'],
  ['non-ascii', 'é'],
  ['star', 'a*b'],
  ['slash', 'a/b'],
  ['backtick', 'a`b'],
  ['quote', "a'b"],
  ['dquote', 'a"b'],
  ['backslash', 'a\\b'],
  ['stream-prefix', '*s*x'],
  ['empty', ''],
  ['number', 123],
  ['null-value', null],
  ['undefined', U],
  ['object', {}],
];

const cases = [];

function add(c) {
  if (cases.some((x) => x.id === c.id)) throw new Error(`duplicate case id ${c.id}`);
  cases.push(c);
}


// ---------------------------------------------------------------- link states (runtime §7, §8)

export const LINK_STATES = ['IDLE', 'CONNECTING', 'CONNECTED', 'DISCONNECTED', 'SUSPENDED', 'FAILED'];

/** Steps putting alice (subscribed to room, with state, bob listening) into `state`. */
function aliceIn(state) {
  const base = [...inRoom('bob'), nw('alice')];
  if (state === 'IDLE') return base;
  const connected = [...base, login('alice'), sub('alice'), call('alice', 'presence.setState', ROOM, M, { k: 'v' })];
  switch (state) {
    case 'CONNECTED':
      return connected;
    case 'DISCONNECTED':
      return [...connected, { who: 'alice', net: 'down' }];
    case 'CONNECTING':
      return [...connected, { who: 'alice', net: 'down' }, { advance: 2.5 }];
    case 'SUSPENDED':
      return [...connected, { who: 'alice', net: 'down' }, { advance: 125 }];
    case 'FAILED':
      return [...connected, nw('alice2'), login('alice2')];
    default:
      throw new Error(state);
  }
}

/** Steps after the checked call: the way back, so that queued work shows. */
function recovery(state) {
  if (['DISCONNECTED', 'CONNECTING', 'SUSPENDED'].includes(state)) return [{ who: 'alice', net: 'up' }, { advance: 40 }];
  return [];
}

const LINK_METHODS = [
  ['whoNow', 'R-X1', call('alice', 'presence.whoNow', ROOM, M)],
  ['getOnlineUsers', 'R-X1', call('alice', 'presence.getOnlineUsers', ROOM, M)],
  ['whoNow-stream', 'R-X1', call('alice', 'presence.whoNow', 'stage', S)],
  ['whereNow-self', 'R-X1', call('alice', 'presence.whereNow', '')],
  ['getUserChannels', 'R-X1', call('alice', 'presence.getUserChannels', 'bob')],
  ['setState', 'R-T3', call('alice', 'presence.setState', ROOM, M, { k2: 'v2' })],
  ['setState-elsewhere', 'R-T3', call('alice', 'presence.setState', 'other', M, { k2: 'v2' })],
  ['getState-self', 'R-T3', call('alice', 'presence.getState', 'alice', ROOM, M)],
  ['getState-other', 'R-T3', call('alice', 'presence.getState', 'bob', ROOM, M)],
  ['removeState', 'R-T3', call('alice', 'presence.removeState', ROOM, M, { states: ['k'] })],
  ['subscribe', 'R-T3', call('alice', 'subscribe', 'room2')],
  ['unsubscribe', 'R-T3', call('alice', 'unsubscribe', ROOM)],
  ['stream-join', 'R-X1', call('alice', 'stream.join', 'stage')],
  ['stream-leave', 'R-L5', call('alice', 'stream.leave', 'stage')],
  ['login', 'R-L3', call('alice', 'login')],
  ['logout', 'R-L2', call('alice', 'logout')],
  ['createStreamChannel', 'R-X1', call('alice', 'createStreamChannel', 'stage2')],
];

const NETWORK_DOWN = ['CONNECTING', 'DISCONNECTED', 'SUSPENDED'];
for (const state of LINK_STATES) {
  for (const [label, rule, step] of LINK_METHODS) {
    const rtcNeedsNetwork = label === 'stream-join' && NETWORK_DOWN.includes(state);
    add({
      id: `link.${state}.${label}`,
      rule,
      source: 'runtime §7',
      title: `${label} while alice's link is ${state}`,
      actors: { alice: actor('alice'), bob: actor('bob'), alice2: actor('alice') },
      steps: [...aliceIn(state), step, ...recovery(state)],
      ...(rtcNeedsNetwork
        ? {
            compare: false,
            why: "the SDK's stream join only needs a non-IDLE link, then joins RTC; the harness's RTC stub joins without a network, a real RTC join would not",
          }
        : {}),
    });
  }
}

// Link-state transitions themselves (R-T4).
add({
  id: 'link.transitions.loss-and-resume',
  rule: 'R-T4',
  source: 'runtime §8',
  title: 'loss, two failed retries, reconnect before the suspend timer (isResumed true)',
  actors: { alice: actor('alice'), bob: actor('bob') },
  steps: [...inRoom('bob'), ...inRoom('alice'), { who: 'alice', net: 'down' }, { advance: 12 }, { who: 'alice', net: 'up' }, { advance: 20 }],
});
add({
  id: 'link.transitions.suspend-and-back',
  rule: 'R-T4',
  source: 'runtime §8',
  title: 'loss until SUSPENDED, then reconnect (isResumed false)',
  actors: { alice: actor('alice'), bob: actor('bob') },
  steps: [...inRoom('bob'), ...inRoom('alice'), { who: 'alice', net: 'down' }, { advance: 130 }, { who: 'alice', net: 'up' }, { advance: 40 }],
});
add({
  id: 'link.transitions.kick-relogin',
  rule: 'R-L3',
  source: 'runtime §8',
  title: 'same-uid login elsewhere: FAILED; re-login restores the channels',
  actors: { alice: actor('alice'), bob: actor('bob'), alice2: actor('alice') },
  steps: [...inRoom('bob'), ...inRoom('alice'), call('alice', 'presence.setState', ROOM, M, { k: 'v' }), nw('alice2'), login('alice2'), call('alice', 'presence.getState', 'alice', ROOM, M), call('alice2', 'logout'), login('alice')],
});
add({
  id: 'link.transitions.login-twice-at-once',
  rule: 'R-L3',
  source: 'runtime §7',
  title: 'a second login while the first is CONNECTING is -10017',
  actors: { alice: actor('alice') },
  steps: [nw('alice'), { ...login('alice'), nowait: true }, login('alice')],
});
add({
  id: 'link.transitions.login-when-connected',
  rule: 'R-L3',
  source: 'runtime §7',
  title: 'login when CONNECTED resolves and changes nothing',
  actors: { alice: actor('alice') },
  steps: [...up('alice'), login('alice')],
});
add({
  id: 'link.transitions.logout-twice',
  rule: 'R-L2',
  source: 'runtime §7',
  title: 'logout twice resolves both times',
  actors: { alice: actor('alice'), bob: actor('bob') },
  steps: [...inRoom('bob'), ...inRoom('alice'), call('alice', 'logout'), call('alice', 'logout')],
});
add({
  id: 'link.transitions.logout-clears-state',
  rule: 'R-L2',
  source: 'runtime §2',
  title: 'logout clears state and cache; a new login starts empty',
  actors: { alice: actor('alice'), bob: actor('bob') },
  steps: [
    ...inRoom('bob'),
    ...inRoom('alice'),
    call('alice', 'presence.setState', ROOM, M, { k: 'v' }),
    call('alice', 'presence.setState', 'other', M, { c: '1' }),
    call('alice', 'logout'),
    login('alice'),
    call('alice', 'presence.getState', 'alice', 'other', M),
    sub('alice'),
    call('bob', 'presence.getState', 'alice', ROOM, M),
  ],
});

// ---------------------------------------------------------------- constructor (runtime §10)

const APP_VARIANTS = [
  ['hex', '0123456789abcdef0123456789abcdef'],
  ['upper', '0123456789ABCDEFGHIJKLMNOPQRSTUV'],
  ['empty', ''],
  ['len31', rep('a', 31)],
  ['len33', rep('a', 33)],
  ['dash', '0123456789abcdef0123456789abcde-'],
  ['number', 12345],
  ['null', null],
  ['undefined', U],
];
for (const [label, appId] of APP_VARIANTS) {
  add({
    id: `new.appId.${label}`,
    rule: 'R-C2',
    source: 'runtime §10',
    title: `new RTM with app id ${label}, then login`,
    actors: { alice: actor('alice', { appId }) },
    steps: [nw('alice'), login('alice')],
  });
}
for (const [label, uid] of ID_VARIANTS) {
  add({
    id: `new.userId.${label}`,
    rule: 'R-C1',
    source: 'runtime §10',
    title: `new RTM with user id ${label}, then login and whereNow`,
    actors: { alice: actor(uid) },
    steps: [nw('alice'), login('alice'), call('alice', 'presence.whereNow', '')],
  });
}
const CONFIG_VARIANTS = [
  ['empty', {}],
  ['undefined', U],
  ['presenceTimeout-1', { presenceTimeout: 1 }],
  ['presenceTimeout-1000', { presenceTimeout: 1000 }],
  ['presenceTimeout-string', { presenceTimeout: '30' }],
  ['heartbeat-0', { heartbeatInterval: 0 }],
  ['heartbeat-1', { heartbeatInterval: 1 }],
  ['heartbeat-5000', { heartbeatInterval: 5000 }],
  ['unknown-key', { fooBar: 1 }],
  ['token-appid', { token: '0123456789abcdef0123456789abcdef' }],
  ['useStringUserId-false-abc', { useStringUserId: false }],
];
for (const [label, config] of CONFIG_VARIANTS) {
  add({
    id: `new.config.${label}`,
    rule: 'R-C3',
    source: 'runtime §10',
    title: `new RTM with config ${label}, then login`,
    actors: { alice: actor('alice', { config }) },
    steps: [nw('alice'), login('alice'), sub('alice')],
  });
}
add({
  id: 'new.config.useStringUserId-false-42',
  rule: 'R-C3',
  source: 'runtime §10',
  title: 'useStringUserId false with an integer user id',
  actors: { alice: actor('42', { config: { useStringUserId: false } }) },
  steps: [nw('alice'), login('alice')],
});
add({
  id: 'new.duplicate-user-id',
  rule: 'R-T4',
  source: 'runtime §8',
  title: 'a second client with the same app id and user id in one JS runtime: -10027',
  params: { IGNORE_DUPLICATE_USER_ID_ERR: false },
  actors: { a1: actor('dup-once-only'), a2: actor('dup-once-only') },
  steps: [nw('a1'), nw('a2'), login('a1')],
});

// ---------------------------------------------------------------- ids as arguments (R-C1)

for (const [label, id] of ID_VARIANTS) {
  const obs = { alice: actor('alice'), bob: actor('bob') };
  add({
    id: `arg.subscribe.${label}`,
    rule: 'R-C1',
    source: 'runtime §10',
    title: `subscribe to channel ${label}`,
    actors: obs,
    steps: [...up('alice'), call('alice', 'subscribe', id), call('alice', 'presence.whereNow', '')],
  });
  add({
    id: `arg.unsubscribe.${label}`,
    rule: 'R-L5',
    source: 'runtime §7',
    title: `unsubscribe channel ${label} (not subscribed)`,
    actors: obs,
    steps: [...up('alice'), call('alice', 'unsubscribe', id)],
  });
  add({
    id: `arg.whoNow.${label}`,
    rule: 'R-C1',
    source: 'runtime §4',
    title: `whoNow of channel ${label}`,
    actors: obs,
    steps: [...up('alice'), call('alice', 'presence.whoNow', id, M)],
  });
  add({
    id: `arg.whereNow.${label}`,
    rule: 'R-Q5',
    source: 'runtime §5',
    title: `whereNow of user ${label}`,
    actors: obs,
    steps: [...up('alice'), call('alice', 'presence.whereNow', id)],
  });
  add({
    id: `arg.getState.uid.${label}`,
    rule: 'R-Q6',
    source: 'runtime §5',
    title: `getState of user ${label} in a subscribed channel`,
    actors: obs,
    steps: [...inRoom('alice'), call('alice', 'presence.getState', id, ROOM, M)],
  });
  add({
    id: `arg.setState.channel.${label}`,
    rule: 'R-C1',
    source: 'runtime §7',
    title: `setState on channel ${label}`,
    actors: obs,
    steps: [...up('alice'), call('alice', 'presence.setState', id, M, { k: 'v' })],
  });
  add({
    id: `arg.stream.${label}`,
    rule: 'R-C1',
    source: 'runtime §10',
    title: `createStreamChannel(${label}) then join`,
    actors: obs,
    steps: [...up('alice'), call('alice', 'createStreamChannel', id), call('alice', 'stream.join', id)],
  });
}
// Check order: the link check comes before the names (runtime §7 table).
for (const [label, step] of [
  ['whoNow-bad-channel', call('alice', 'presence.whoNow', 'a.b', M)],
  ['whoNow-bad-type', call('alice', 'presence.whoNow', 'a.b', 'USER')],
  ['setState-bad-key', call('alice', 'presence.setState', ROOM, M, { _bad: 1 })],
  ['getState-bad-type', call('alice', 'presence.getState', '', 'a.b', 'USER')],
  ['getState-bad-uid', call('alice', 'presence.getState', 'a.b', ROOM, M)],
  ['removeState-dup', call('alice', 'presence.removeState', ROOM, M, { states: ['a', 'a'] })],
  ['unsubscribe-bad', call('alice', 'unsubscribe', 'a.b')],
  ['subscribe-bad', call('alice', 'subscribe', 'a.b')],
  ['whereNow-bad', call('alice', 'presence.whereNow', 'a.b')],
]) {
  add({
    id: `order.IDLE.${label}`,
    rule: 'R-X1',
    source: 'runtime §7',
    title: `${label} before login: which check wins`,
    actors: { alice: actor('alice') },
    steps: [nw('alice'), step],
  });
  add({
    id: `order.CONNECTED.${label}`,
    rule: 'R-X1',
    source: 'runtime §7',
    title: `${label} when connected: which check wins`,
    actors: { alice: actor('alice') },
    steps: [...up('alice'), step],
  });
}
// Channel types.
const TYPE_VARIANTS = [
  ['USER', 'USER'],
  ['lowercase', 'message'],
  ['empty', ''],
  ['undefined', U],
  ['number', 1],
];
for (const [label, type] of TYPE_VARIANTS) {
  for (const [method, step] of [
    ['whoNow', call('alice', 'presence.whoNow', ROOM, type)],
    ['setState', call('alice', 'presence.setState', ROOM, type, { k: 'v' })],
    ['getState', call('alice', 'presence.getState', 'alice', ROOM, type)],
    ['removeState', call('alice', 'presence.removeState', ROOM, type)],
  ]) {
    add({
      id: `arg.channelType.${method}.${label}`,
      rule: 'R-X1',
      source: 'runtime §7',
      title: `${method} with channel type ${label}`,
      actors: { alice: actor('alice') },
      steps: [...inRoom('alice'), step],
    });
  }
}

// ---------------------------------------------------------------- state (R-S3, runtime §1)

const KEY_VARIANTS = [
  ['len32', rep('k', 32)],
  ['len33', rep('k', 33)],
  ['len64', rep('k', 64)],
  ['len65', rep('k', 65)],
  ['utf8-32bytes', rep('é', 16)],
  ['utf8-34bytes', rep('é', 17)],
  ['empty', ''],
  ['lead-underscore', '_x'],
  ['dot', 'a.b'],
  ['star', 'a*b'],
  ['slash', 'a/b'],
  ['backtick', 'a`b'],
  ['space', 'a b'],
  ['null', 'null'],
  ['inner-underscore', 'a_b'],
  ['punct', '!#$%&()+,-:;<=>?@[]^_{|}~'],
];
const VALUE_VARIANTS = [
  ['len16384', rep('v', 16384)],
  ['len16385', rep('v', 16385)],
  ['len8193', rep('v', 8193)],
  ['utf8-16384bytes', rep('é', 8192)],
  ['utf8-16386bytes', rep('é', 8193)],
  ['number', 1],
  ['false', false],
  ['null', null],
  ['object', { x: 1 }],
  ['array', [1, 'a']],
  ['empty-string', ''],
];
const stateCtx = {
  'in-channel': (state) => [...inRoom('bob'), ...inRoom('alice'), call('alice', 'presence.setState', ROOM, M, state), call('alice', 'presence.getState', 'alice', ROOM, M), call('bob', 'presence.getState', 'alice', ROOM, M)],
  'pre-join': (state) => [...inRoom('bob'), ...up('alice'), call('alice', 'presence.setState', ROOM, M, state), call('alice', 'presence.getState', 'alice', ROOM, M), sub('alice')],
};
for (const [ctx, steps] of Object.entries(stateCtx)) {
  const actors = { alice: actor('alice'), bob: actor('bob') };
  for (const [label, key] of KEY_VARIANTS) {
    add({
      id: `state.key.${label}.${ctx}`,
      rule: 'R-S3',
      source: 'runtime §1',
      title: `setState with key ${label} (${ctx})`,
      actors,
      steps: steps({ $: 'pair', key, value: 'v' }),
    });
  }
  for (const [label, value] of VALUE_VARIANTS) {
    add({
      id: `state.value.${label}.${ctx}`,
      rule: label.startsWith('len') || label.startsWith('utf8') ? 'R-S3' : 'R-S1',
      source: 'runtime §1',
      title: `setState with value ${label} (${ctx})`,
      actors,
      steps: steps({ k: value }),
    });
  }
}
const COUNT_VARIANTS = [
  ['empty-object', {}],
  ['keys32', keys(32)],
  ['keys33', keys(33)],
  ['keys33-with-bad', { ...Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v'])), _bad: 'v' }],
  ['bad-key-long-value', { _bad: rep('v', 20000) }],
  ['long-value-then-bad-key', { a: rep('v', 20000), _bad: 'v' }],
  ['null', null],
  ['undefined', U],
  ['string', 'abc'],
  ['array', []],
  ['number', 5],
];
for (const [label, state] of COUNT_VARIANTS) {
  add({
    id: `state.count.${label}`,
    rule: 'R-S3',
    source: 'runtime §1',
    title: `setState with ${label}`,
    actors: { alice: actor('alice'), bob: actor('bob') },
    steps: stateCtx['in-channel'](state),
  });
}
for (const [label, extra, overwrite] of [
  ['20+12', 12, 0],
  ['20+13', 13, 0],
  ['20-overwrite-5', 0, 5],
  ['20-overwrite-5+13', 13, 5],
]) {
  const more = { ...Object.fromEntries(Array.from({ length: extra }, (_, i) => [`n${i}`, 'w'])), ...Object.fromEntries(Array.from({ length: overwrite }, (_, i) => [`k${i}`, 'x'])) };
  add({
    id: `state.union.${label}`,
    rule: 'R-S3',
    source: 'runtime §1',
    title: `union of old and new keys: ${label}`,
    actors: { alice: actor('alice'), bob: actor('bob') },
    steps: [...inRoom('bob'), ...inRoom('alice'), call('alice', 'presence.setState', ROOM, M, keys(20)), call('alice', 'presence.setState', ROOM, M, more), call('alice', 'presence.getState', 'alice', ROOM, M)],
  });
}
const REMOVE_VARIANTS = [
  ['dup', { states: ['k0', 'k0'] }],
  ['distinct33', { states: list(33) }],
  ['same33', { states: Array.from({ length: 33 }, () => 'z') }],
  ['lead-underscore', { states: ['_x'] }],
  ['key33bytes', { states: [rep('k', 33)] }],
  ['number-key', { states: [1] }],
  ['absent-key', { states: ['nope'] }],
  ['empty-list', { states: [] }],
  ['no-options', U],
  ['empty-options', {}],
  ['string-states', { states: 'ab' }],
  ['dot-key', { states: ['a.b'] }],
  ['one-key', { states: ['k0'] }],
  ['null-options', null],
];
for (const [label, opts] of REMOVE_VARIANTS) {
  for (const ctx of ['in-channel', 'not-in-channel']) {
    const steps =
      ctx === 'in-channel'
        ? [...inRoom('bob'), ...inRoom('alice'), call('alice', 'presence.setState', ROOM, M, keys(2))]
        : [...inRoom('bob'), ...up('alice'), call('alice', 'presence.setState', ROOM, M, keys(2))];
    add({
      id: `state.remove.${label}.${ctx}`,
      rule: 'R-S3',
      source: 'runtime §1',
      title: `removeState ${label} (${ctx})`,
      actors: { alice: actor('alice'), bob: actor('bob') },
      steps: [...steps, call('alice', 'presence.removeState', ROOM, M, opts), call('alice', 'presence.getState', 'alice', ROOM, M), ...(ctx === 'not-in-channel' ? [sub('alice')] : [])],
    });
  }
}

// ---------------------------------------------------------------- the state cache (R-S4, runtime §2)

const fill = (n, from = 0) => Array.from({ length: n }, (_, i) => call('alice', 'presence.setState', `c${from + i}`, M, { k: 'v' }));
const CACHE_CASES = [
  ['101-ok', [...fill(101)]],
  ['102nd-refused', [...fill(101), call('alice', 'presence.setState', 'c101', M, { k: 'v' })]],
  ['existing-refused-at-101', [...fill(101), call('alice', 'presence.setState', 'c0', M, { k: 'w' })]],
  ['remove-existing-at-101', [...fill(101), call('alice', 'presence.removeState', 'c0', M), call('alice', 'presence.removeState', 'zz', M), call('alice', 'presence.setState', 'c5', M, { k: 'w' })]],
  ['stream-shares-cache', [...fill(101), call('alice', 'presence.setState', 'c5', S, { k: 'v' })]],
  ['keys-do-not-count', [...Array.from({ length: 4 }, (_, i) => call('alice', 'presence.setState', 'one', M, keys(8, `g${i}`))), call('alice', 'presence.getState', 'alice', 'one', M)]],
  ['logout-clears', [...fill(101), call('alice', 'logout'), login('alice'), call('alice', 'presence.setState', 'c200', M, { k: 'v' })]],
  ['unsubscribe-drops-entry', [...fill(101), sub('alice', 'c0'), call('alice', 'unsubscribe', 'c0'), call('alice', 'presence.setState', 'c300', M, { k: 'v' })]],
  ['unsubscribe-never-joined-keeps', [...fill(101), call('alice', 'unsubscribe', 'c0'), call('alice', 'presence.setState', 'c300', M, { k: 'v' })]],
  ['entry-kept-on-join', [call('alice', 'presence.setState', 'x', M, { k: 'v' }), sub('alice', 'x'), call('alice', 'presence.setState', 'x', M, { k2: 'v2' }), call('alice', 'presence.getState', 'alice', 'x', M), call('bob', 'presence.getState', 'alice', 'x', M)]],
];
for (const [label, steps] of CACHE_CASES) {
  add({
    id: `cache.${label}`,
    rule: 'R-S4',
    source: 'runtime §2',
    title: `state cache: ${label}`,
    actors: { alice: actor('alice'), bob: actor('bob') },
    steps: [...up('bob'), sub('bob', 'x'), ...up('alice'), ...steps],
  });
}

// ---------------------------------------------------------------- channel limits (R-L4, runtime §3)

const subs = (n, prefix = 'm', from = 0) => Array.from({ length: n }, (_, i) => sub('alice', `${prefix}${from + i}`));
const joins = (n, prefix = 's', from = 0) => Array.from({ length: n }, (_, i) => call('alice', 'stream.join', `${prefix}${from + i}`));
for (const [label, steps] of [
  ['subscribe-51st', [...subs(50), sub('alice', 'm50')]],
  ['resubscribe-at-limit', [...subs(50), sub('alice', 'm0')]],
  ['join-11th', [...joins(10), call('alice', 'stream.join', 's10')]],
  ['rejoin-at-stream-limit', [...joins(10), call('alice', 'stream.join', 's0')]],
  ['message-and-stream-share-50', [...subs(40), ...joins(10), sub('alice', 'm40')]],
  ['stream-limit-before-shared', [...subs(45), ...joins(5), call('alice', 'stream.join', 's5')]],
]) {
  add({
    id: `limit.${label}`,
    rule: 'R-L4',
    source: 'runtime §3',
    title: `channel limits: ${label}`,
    actors: { alice: actor('alice') },
    steps: [...up('alice'), ...steps],
  });
}

// ---------------------------------------------------------------- whoNow (R-Q1–R-Q4, runtime §4)

const crowd = (n, opts) => {
  const actors = {};
  const steps = [];
  for (let i = 0; i < n; i += 1) {
    const name = `u${String(i).padStart(2, '0')}`;
    actors[name] = actor(name);
    steps.push(nw(name), login(name), sub(name, ROOM, opts ?? { withPresence: false }));
    steps.push(call(name, 'presence.setState', ROOM, M, { n: String(i) }));
  }
  return { actors, steps };
};
const WHO_OPTIONS = [
  ['none', U],
  ['null', null],
  ['empty', {}],
  ['string', 'str'],
  ['uid-false', { includedUserId: false }],
  ['uid-zero', { includedUserId: 0 }],
  ['uid-true', { includedUserId: true }],
  ['state-true', { includedState: true }],
  ['state-yes', { includedState: 'yes' }],
  ['state-one', { includedState: 1 }],
  ['uid-false-state-true', { includedUserId: false, includedState: true }],
  ['uid-zero-state-true', { includedUserId: 0, includedState: true }],
  ['unknown-keys', { foo: 1, includeState: true }],
  ['page-u02', { page: b64('u02') }],
  ['page-zzz', { page: b64('zzz') }],
  ['page-not-base64', { page: 'not base64 !!' }],
  ['page-number', { page: 5 }],
  ['page-empty', { page: '' }],
  ['count-only-with-page', { includedUserId: false, page: b64('u02') }],
  ['state-and-page', { includedState: true, page: b64('u03') }],
];
for (const route of ['rpc', 'local', 'rpc-no-presence']) {
  for (const [label, opts] of WHO_OPTIONS) {
    const { actors, steps } = crowd(5);
    const setup =
      route === 'local' ? inRoom('alice') : route === 'rpc-no-presence' ? inRoom('alice', { withPresence: false }) : up('alice');
    add({
      id: `whoNow.${route}.${label}`,
      rule: label.startsWith('page') ? 'R-Q3' : route === 'local' ? 'R-Q2' : 'R-Q4',
      source: 'runtime §4',
      title: `whoNow options ${label} (${route} route)`,
      actors: { ...actors, alice: actor('alice') },
      server: { announceMax: 8, interval: 10 },
      steps: [...steps, ...setup, call('alice', 'presence.whoNow', ROOM, M, opts)],
    });
  }
}
for (const [label, n] of [
  ['walk-12', 12],
  ['walk-16', 16],
  ['walk-8', 8],
  ['walk-3', 3],
]) {
  const { actors, steps } = crowd(n);
  add({
    id: `whoNow.paging.${label}`,
    rule: 'R-Q3',
    source: 'runtime §4',
    title: `paging ${n} users with page size 8`,
    actors: { ...actors, alice: actor('alice') },
    server: { announceMax: 8, interval: 10 },
    steps: [
      ...steps,
      ...up('alice'),
      call('alice', 'presence.whoNow', ROOM, M, { includedState: true }),
      call('alice', 'presence.whoNow', ROOM, M, { page: b64('u07') }),
      call('alice', 'presence.whoNow', ROOM, M, { page: b64('u15') }),
      call('alice', 'presence.getOnlineUsers', ROOM, M, { includedUserId: false }),
    ],
  });
}
add({
  id: 'whoNow.page-from-other-channel',
  rule: 'R-Q3',
  source: 'runtime §4',
  title: 'a page bookmark is not tied to its channel',
  actors: { ...crowd(3).actors, alice: actor('alice') },
  steps: [...crowd(3).steps, ...up('alice'), call('alice', 'presence.whoNow', 'elsewhere', M, { page: b64('u00') }), call('alice', 'presence.whoNow', ROOM, M, { page: b64('u00') })],
});
add({
  id: 'whoNow.quiet-not-listed',
  rule: 'R-E4',
  source: 'runtime §6',
  title: 'a quiet user is not listed or counted',
  actors: { alice: actor('alice'), bob: actor('bob'), carol: actor('carol') },
  steps: [...inRoom('bob', { beQuiet: true }), ...inRoom('carol'), ...up('alice'), call('alice', 'presence.whoNow', ROOM, M), call('carol', 'presence.whoNow', ROOM, M), call('bob', 'presence.whoNow', ROOM, M)],
});
add({
  id: 'whoNow.stream-channel',
  rule: 'R-Q2',
  source: 'runtime §4',
  title: 'whoNow of a stream channel (joined and not)',
  actors: { alice: actor('alice'), bob: actor('bob') },
  steps: [...up('bob'), call('bob', 'stream.join', 'stage'), ...up('alice'), call('alice', 'presence.whoNow', 'stage', S), call('bob', 'presence.whoNow', 'stage', S, { includedState: true }), call('alice', 'presence.whoNow', 'stage', M)],
});

// ---------------------------------------------------------------- whereNow (R-Q5)

add({
  id: 'whereNow.channels-and-order',
  rule: 'R-Q5',
  source: 'runtime §5',
  title: 'whereNow lists MESSAGE and STREAM channels where the user is visible',
  actors: { alice: actor('alice'), bob: actor('bob') },
  steps: [
    ...up('bob'),
    sub('bob', 'zeta'),
    sub('bob', 'alpha'),
    call('bob', 'stream.join', 'stage'),
    sub('bob', 'quiet', { beQuiet: true }),
    sub('bob', 'deaf', { withPresence: false }),
    ...up('alice'),
    call('alice', 'presence.whereNow', 'bob'),
    call('alice', 'presence.getUserChannels', 'nobody'),
    call('bob', 'presence.whereNow', ''),
  ],
});

// ---------------------------------------------------------------- getState routes (R-Q6)

for (const [label, steps] of [
  ['self-in-channel', [...inRoom('alice'), call('alice', 'presence.setState', ROOM, M, { k: 'v' }), call('alice', 'presence.getState', 'alice', ROOM, M)]],
  ['self-cache', [...up('alice'), call('alice', 'presence.setState', ROOM, M, { k: 'v' }), call('alice', 'presence.getState', 'alice', ROOM, M)]],
  ['self-nothing', [...up('alice'), call('alice', 'presence.getState', 'alice', ROOM, M)]],
  ['other-local', [...inRoom('bob'), call('bob', 'presence.setState', ROOM, M, { s: '1' }), ...inRoom('alice'), call('alice', 'presence.getState', 'bob', ROOM, M)]],
  ['absent-local', [...inRoom('alice'), call('alice', 'presence.getState', 'ghost', ROOM, M)]],
  ['quiet-local', [...inRoom('bob', { beQuiet: true }), ...inRoom('alice'), call('alice', 'presence.getState', 'bob', ROOM, M), call('bob', 'presence.getState', 'bob', ROOM, M)]],
  ['other-rpc', [...inRoom('bob'), call('bob', 'presence.setState', ROOM, M, { s: '1' }), ...up('alice'), call('alice', 'presence.getState', 'bob', ROOM, M)]],
  ['absent-rpc', [...up('alice'), call('alice', 'presence.getState', 'ghost', ROOM, M)]],
  ['rpc-no-presence', [...inRoom('bob'), call('bob', 'presence.setState', ROOM, M, { s: '1' }), ...inRoom('alice', { withPresence: false }), call('alice', 'presence.getState', 'bob', ROOM, M), call('alice', 'presence.getState', 'ghost', ROOM, M)]],
  ['empty-uid', [...inRoom('alice'), call('alice', 'presence.getState', '', ROOM, M)]],
  ['self-after-unsubscribe', [...inRoom('alice'), call('alice', 'presence.setState', ROOM, M, { k: 'v' }), call('alice', 'unsubscribe', ROOM), call('alice', 'presence.getState', 'alice', ROOM, M)]],
  ['stream-not-joined', [...up('bob'), call('bob', 'stream.join', 'stage'), call('bob', 'presence.setState', 'stage', S, { s: '1' }), ...up('alice'), call('alice', 'presence.getState', 'bob', 'stage', S)]],
  ['stream-joined', [...up('bob'), call('bob', 'stream.join', 'stage'), call('bob', 'presence.setState', 'stage', S, { s: '1' }), ...up('alice'), call('alice', 'stream.join', 'stage'), call('alice', 'presence.getState', 'bob', 'stage', S)]],
]) {
  add({
    id: `getState.${label}`,
    rule: 'R-Q6',
    source: 'runtime §5',
    title: `getState route: ${label}`,
    actors: { alice: actor('alice'), bob: actor('bob') },
    steps,
  });
}

// ---------------------------------------------------------------- lifecycle (R-L1, R-L5)

for (const [label, steps] of [
  ['unsubscribe-not-subscribed', [...up('alice'), call('alice', 'unsubscribe', ROOM)]],
  ['unsubscribe-twice', [...inRoom('alice'), call('alice', 'unsubscribe', ROOM), call('alice', 'unsubscribe', ROOM)]],
  ['leave-not-joined', [...up('alice'), call('alice', 'createStreamChannel', 'stage'), call('alice', 'stream.leave', 'stage')]],
  ['leave-twice', [...up('alice'), call('alice', 'stream.join', 'stage'), call('alice', 'stream.leave', 'stage'), call('alice', 'stream.leave', 'stage')]],
  ['join-twice', [...up('alice'), call('alice', 'stream.join', 'stage'), call('alice', 'stream.join', 'stage')]],
  ['join-quiet', [...up('alice'), call('alice', 'stream.join', 'stage', { beQuiet: true }), call('bob', 'presence.whoNow', 'stage', S)]],
  ['join-no-presence', [...up('alice'), call('alice', 'stream.join', 'stage', { withPresence: false }), call('alice', 'presence.whoNow', 'stage', S)]],
  ['join-leave-join', [...up('alice'), call('alice', 'stream.join', 'stage'), call('alice', 'stream.leave', 'stage'), call('alice', 'stream.join', 'stage')]],
  ['resubscribe-same', [...inRoom('alice'), sub('alice')]],
  ['resubscribe-presence-on', [...inRoom('alice', { withPresence: false }), sub('alice', ROOM, { withPresence: true })]],
  ['resubscribe-presence-off', [...inRoom('alice'), sub('alice', ROOM, { withPresence: false }), call('alice', 'presence.setState', ROOM, M, { k: 'v' })]],
  ['resubscribe-quiet', [...inRoom('alice'), call('alice', 'presence.setState', ROOM, M, { k: 'v' }), sub('alice', ROOM, { beQuiet: true })]],
  ['resubscribe-visible', [...inRoom('alice', { beQuiet: true }), call('alice', 'presence.setState', ROOM, M, { k: 'v' }), sub('alice', ROOM, { beQuiet: false })]],
  ['rejoin-quiet', [...up('alice'), call('alice', 'stream.join', 'stage'), call('alice', 'stream.join', 'stage', { beQuiet: true })]],
  ['subscribe-options-unknown', [...up('alice'), sub('alice', ROOM, { foo: 1 })]],
  ['subscribe-options-string', [...up('alice'), sub('alice', ROOM, 'str')]],
]) {
  add({
    id: `lifecycle.${label}`,
    rule: label.startsWith('re') ? 'R-L1' : 'R-L5',
    source: 'runtime §6',
    title: `lifecycle: ${label}`,
    actors: { alice: actor('alice'), bob: actor('bob') },
    steps: [...inRoom('bob'), call('bob', 'stream.join', 'stage'), ...steps],
  });
}

// ---------------------------------------------------------------- events (R-E1–R-E5, runtime §6)

const ev = (label, rule, steps, extra = {}) =>
  add({
    id: `events.${label}`,
    rule,
    source: 'runtime §6',
    title: `events: ${label}`,
    actors: { alice: actor('alice'), bob: actor('bob'), carol: actor('carol') },
    ...extra,
    steps,
  });
ev('snapshot-with-cached-state', 'R-E1', [...inRoom('bob'), ...up('alice'), call('alice', 'presence.setState', ROOM, M, { mood: 'happy', seat: '3' }), sub('alice')]);
ev('join-leave-unsubscribe', 'R-E2', [...inRoom('bob'), ...inRoom('alice'), call('alice', 'unsubscribe', ROOM)]);
ev('leave-by-logout', 'R-E2', [...inRoom('bob'), ...inRoom('alice'), call('alice', 'logout')]);
ev('stream-join-leave', 'R-E2', [...up('bob'), call('bob', 'stream.join', 'stage'), ...up('alice'), call('alice', 'stream.join', 'stage'), call('alice', 'stream.leave', 'stage')]);
ev('state-changes', 'R-E3', [
  ...inRoom('bob'),
  ...inRoom('alice'),
  call('alice', 'presence.setState', ROOM, M, { mood: 'happy', seat: '3' }),
  call('alice', 'presence.setState', ROOM, M, { mood: 'sad' }),
  call('alice', 'presence.setState', ROOM, M, { mood: 'sad' }),
  call('alice', 'presence.removeState', ROOM, M, { states: ['mood'] }),
  call('alice', 'presence.removeState', ROOM, M, { states: ['nope'] }),
  call('alice', 'presence.removeState', ROOM, M),
]);
ev('quiet-user', 'R-E4', [...inRoom('bob'), ...inRoom('alice', { beQuiet: true }), call('alice', 'presence.setState', ROOM, M, { k: 'v' }), ...inRoom('carol'), call('alice', 'unsubscribe', ROOM)]);
ev('quiet-to-visible', 'R-L1', [...inRoom('bob'), ...inRoom('alice', { beQuiet: true }), call('alice', 'presence.setState', ROOM, M, { k: 'v' }), sub('alice', ROOM, { beQuiet: false })]);
ev('visible-to-quiet', 'R-L1', [...inRoom('bob'), ...inRoom('alice'), sub('alice', ROOM, { beQuiet: true })]);
ev('no-presence-listener', 'R-E1', [...inRoom('bob', { withPresence: false }), ...inRoom('alice'), call('alice', 'presence.setState', ROOM, M, { k: 'v' }), call('alice', 'unsubscribe', ROOM)]);
ev('state-while-down-synced', 'R-T3', [...inRoom('bob'), ...inRoom('alice'), { who: 'alice', net: 'down' }, call('alice', 'presence.setState', ROOM, M, { k: 'v' }), { who: 'alice', net: 'up' }, { advance: 5 }]);
ev('others-while-down', 'R-E9', [...inRoom('bob'), ...inRoom('alice'), { who: 'bob', net: 'down' }, call('alice', 'presence.setState', ROOM, M, { k: 'v' }), ...inRoom('carol'), { who: 'bob', net: 'up' }, { advance: 5 }]);
ev('subscribe-while-down-cached', 'R-T3', [...inRoom('bob'), ...inRoom('alice'), { advance: 6 }, { who: 'alice', net: 'down' }, sub('alice', 'room2'), { who: 'alice', net: 'up' }, { advance: 5 }, call('alice', 'presence.whereNow', '')]);

// Interval mode with announce threshold 8, interval 10 s (R-E5).
const I8 = { announceMax: 8, interval: 10 };
const fillRoom = (n, from = 0, opts) => {
  const steps = [];
  for (let i = from; i < from + n; i += 1) steps.push(...inRoom(`p${i}`, opts));
  return steps;
};
const pActors = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, actor(`p${i}`)]));
const iv = (label, steps, n = 12) =>
  add({
    id: `interval.${label}`,
    rule: 'R-E5',
    source: 'runtime §6',
    title: `interval mode: ${label}`,
    actors: { watcher: actor('watcher'), ...pActors(n) },
    server: I8,
    steps: [...inRoom('watcher'), ...steps],
  });
iv('below-threshold-announced', [...fillRoom(6), { advance: 10.5 }]);
iv('tipping-join-announced', [...fillRoom(7), { advance: 10.5 }]);
iv('joins-aggregated', [...fillRoom(7), ...fillRoom(3, 7), { advance: 10.5 }]);
iv('join-and-leave-cancel', [...fillRoom(7), ...inRoom('p7'), call('p7', 'unsubscribe', ROOM), { advance: 10.5 }]);
iv('leave-and-rejoin-cancel', [...fillRoom(9), { advance: 10.5 }, call('p0', 'unsubscribe', ROOM), sub('p0'), { advance: 10 }]);
iv('state-changes-aggregated', [...fillRoom(8), { advance: 10.5 }, call('p1', 'presence.setState', ROOM, M, { a: '1' }), call('p1', 'presence.setState', ROOM, M, { b: '2' }), call('p2', 'presence.setState', ROOM, M, { c: '3' }), call('p2', 'unsubscribe', ROOM), { advance: 10 }]);
iv('quiet-period-silent', [...fillRoom(8), { advance: 10.5 }, { advance: 10 }, { advance: 10 }]);
iv('exit-flush', [...fillRoom(8), { advance: 10.5 }, ...inRoom('p8'), call('p0', 'unsubscribe', ROOM), call('p1', 'unsubscribe', ROOM), call('p2', 'unsubscribe', ROOM), call('p3', 'presence.setState', ROOM, M, { z: '1' }), { advance: 10.5 }]);
iv('exit-by-logout-and-timeout-free', [...fillRoom(8), { advance: 10.5 }, call('p4', 'presence.setState', ROOM, M, { y: '2' }), call('p0', 'logout'), call('p1', 'logout'), ...inRoom('p9'), { advance: 10.5 }]);
iv('exit-then-reenter', [...fillRoom(8), { advance: 10.5 }, call('p0', 'unsubscribe', ROOM), sub('p0'), { advance: 10 }, call('p1', 'unsubscribe', ROOM), call('p2', 'unsubscribe', ROOM), sub('p1'), sub('p2'), { advance: 10 }]);
iv('snapshot-at-threshold', [...fillRoom(8, 0), call('watcher', 'unsubscribe', ROOM), sub('watcher'), { advance: 10.5 }]);
iv('quiet-not-counted', [...fillRoom(5), ...fillRoom(4, 5, { beQuiet: true }), { advance: 10.5 }]);
iv('logout-leaves', [...fillRoom(8), { advance: 10.5 }, call('p3', 'logout'), { advance: 10 }]);
iv('two-watchers-own-timers', [...fillRoom(7), { advance: 4 }, ...inRoom('p7'), { advance: 3 }, call('p0', 'presence.setState', ROOM, M, { a: '1' }), { advance: 4 }, { advance: 4 }, { advance: 4 }]);
for (const t of [8, 9, 10, 16]) {
  add({
    id: `interval.threshold-${t}`,
    rule: 'R-E5',
    source: 'runtime §6',
    title: `interval mode threshold ${t}: entry at >=`,
    actors: { watcher: actor('watcher'), ...pActors(t + 1) },
    server: { announceMax: t, interval: 10 },
    steps: [...inRoom('watcher'), ...fillRoom(t - 1), ...inRoom(`p${t}`), { advance: 10.5 }],
  });
}

// ---------------------------------------------------------------- login options

for (const [label, opts] of [
  ['none', U],
  ['empty', {}],
  ['token-appid', { token: '0123456789abcdef0123456789abcdef' }],
  ['token-bad', { token: 'bad-token' }],
  ['token-null', { token: null }],
  ['string', 'str'],
]) {
  add({
    id: `login.options.${label}`,
    rule: 'R-L3',
    source: 'runtime §7',
    title: `login with options ${label}`,
    actors: { alice: actor('alice') },
    steps: [nw('alice'), call('alice', 'login', opts), sub('alice')],
  });
}

// ---------------------------------------------------------------- messaging (issue 16)

addMessagingCases(add, { ID_VARIANTS });

// ---------------------------------------------------------------- storage, locks, tokens (issue 17)

addStorageCases(add);
addLockCases(add);
addTokenCases(add);

// A state pair {key: value} with a computed key (keys may be encoded values).
function resolvePairs(value) {
  if (Array.isArray(value)) return value.map(resolvePairs);
  if (value && typeof value === 'object') {
    if (value.$ === 'pair') return { $: 'pair', key: value.key, value: value.value };
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolvePairs(v);
    return out;
  }
  return value;
}

export function buildCases() {
  return cases.map((c) => resolvePairs(c));
}
