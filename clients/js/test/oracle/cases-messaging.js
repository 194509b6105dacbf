// The messaging cases of the oracle (issue 16): publish (MESSAGE, USER), subscribe withMessage
// and the receive filter, the `message` event, history.getMessages, stream-channel topics.
// Added to the table by cases.js (addMessagingCases); plain data like the rest.
//
// Every case here has `messaging: true`: the runner also records its `message` and `topic`
// events (timestamp excluded, key order kept as `shape`) and the key order of every messaging
// call's result; a leg whose client has no `publish` (or lacks a call the case makes) skips it.
//
// `decidedBy` says who decides the outcome the real SDK shows:
//   "client"         the bundle itself (agora-rtm.js 2.3.0: the checks, codes, shapes);
//   "server"         the oracle's fake server (sdk/fake-relay.js, sdk/rtc-stub.cjs), written to
//                    the emulator's decisions (M-design: fan-out, offline, history store, topic
//                    membership): agreement checks the emulator against its own rule, through
//                    the real SDK;
//   "client+server"  both (e.g. the server delivers, the SDK filters or shapes).
// Sources: "messaging §N" = /work/notes/messaging/rules.md §N (§1 publish, §2 subscribe and the
// receive filter, §3 the message event, §4 history, §5 topics), observed in the bundle;
// "rule" = an emulator decision ([ours], M-design).

import { actor, call, inRoom, login, nw, ROOM, sub, up } from './lib/steps.js';

const U = { $: 'undefined' };
const rep = (s, n) => ({ $: 'repeat', s, n });
const list = (n, prefix, pad) => (pad ? { $: 'list', n, prefix, pad } : { $: 'list', n, prefix });
const u8 = (bytesOrN) => (Array.isArray(bytesOrN) ? { $: 'u8', bytes: bytesOrN } : { $: 'u8', n: bytesOrN });
const buf = (s) => ({ $: 'buffer', s });

/** The emulator's start time (EmulatorConfig.start_time_ms): history timestamps are this + the case's advances. */
const T0 = 1_735_689_600_000;
const STAGE = 'stage';
const M = 'MESSAGE';
const OTHER_APP = 'fedcba9876543210fedcba9876543210';

/** publish(ch, message[, options]) */
const pub = (who, ch, msg, opts) => (opts === undefined ? call(who, 'publish', ch, msg) : call(who, 'publish', ch, msg, opts));
const pubUser = (who, to, msg, extra = {}) => pub(who, to, msg, { channelType: 'USER', ...extra });
const hist = (who, ch, type, opts) => (opts === undefined ? call(who, 'history.getMessages', ch, type) : call(who, 'history.getMessages', ch, type, opts));
/** A topic call on the stream channel handle of `stage`. */
const st = (who, method, ...args) => call(who, `stream.${method}`, STAGE, ...args);
const join = (who, ch = STAGE, opts) => (opts === undefined ? call(who, 'stream.join', ch) : call(who, 'stream.join', ch, opts));
const onStage = (who) => [nw(who), login(who), join(who)];
const down = (who) => ({ who, net: 'down' });
const upNet = (who) => ({ who, net: 'up' });
const advance = (s) => ({ advance: s });
const nowait = (step) => ({ ...step, nowait: true });

const ABC = { alice: actor('alice'), bob: actor('bob'), carol: actor('carol') };
const ABCD = { ...ABC, dave: actor('dave') };

/**
 * Add the messaging cases through `add` (cases.js's: it rejects duplicate ids).
 * @param add (case) => void
 * @param ctx {ID_VARIANTS}
 */
export function addMessagingCases(add, { ID_VARIANTS }) {
  const m = (c) => add({ actors: ABC, ...c, messaging: true });

  // ------------------------------------------------------------ publish: before login (R-M1)

  for (const [label, step] of [
    ['ok-args', pub('alice', ROOM, 'x')],
    ['type-STREAM', pub('alice', ROOM, 'x', { channelType: 'STREAM' })],
    ['type-lowercase', pub('alice', ROOM, 'x', { channelType: 'user' })],
    ['bad-name', pub('alice', 'a.b', 'x')],
    ['empty-message', pub('alice', ROOM, '')],
    ['USER', pubUser('alice', 'bob', 'x')],
  ]) {
    m({
      id: `publish.idle.${label}`,
      rule: 'R-M1',
      source: 'messaging §1',
      decidedBy: 'client',
      title: `publish before login (${label}): the channel type is checked first, then the link`,
      actors: { alice: actor('alice') },
      steps: [nw('alice'), step],
    });
  }

  // ------------------------------------------------------------ publish: link states (R-M1 step 3)

  const aliceConnected = [...inRoom('bob'), ...inRoom('alice')];
  const linkSetups = {
    DISCONNECTED: [...aliceConnected, down('alice')],
    CONNECTING: [...aliceConnected, down('alice'), advance(2.5)],
    SUSPENDED: [...aliceConnected, down('alice'), advance(125)],
    FAILED: [...aliceConnected, nw('alice2'), login('alice2')],
    'logged-out': [...aliceConnected, call('alice', 'logout')],
  };
  const linkBack = { DISCONNECTED: [upNet('alice'), advance(40)], CONNECTING: [upNet('alice'), advance(40)], SUSPENDED: [upNet('alice'), advance(40)] };
  for (const [state, setup] of Object.entries(linkSetups)) {
    for (const [label, step] of [
      ['publish', pub('alice', ROOM, 'x')],
      ...(state === 'DISCONNECTED' || state === 'logged-out'
        ? [
            ['USER', pubUser('alice', 'bob', 'x')],
            ['getMessages', hist('alice', ROOM, M)],
          ]
        : []),
    ]) {
      m({
        id: `publish.link.${state}.${label}`,
        rule: label === 'getMessages' ? 'R-M10' : 'R-M1',
        source: 'messaging §1',
        decidedBy: 'client',
        title: `${label} while alice's link is ${state}: -10025, nothing delivered later`,
        actors: { ...ABC, alice2: actor('alice') },
        steps: [...setup, step, ...(linkBack[state] ?? [])],
      });
    }
  }
  for (const [label, step] of [
    ['bad-name', pub('alice', 'a.b', 'x')],
    ['type-STREAM', pub('alice', ROOM, 'x', { channelType: 'STREAM' })],
  ]) {
    m({
      id: `publish.link.DISCONNECTED.${label}`,
      rule: 'R-M1',
      source: 'messaging §1',
      decidedBy: 'client',
      title: `publish while DISCONNECTED with ${label}: the type check comes before the link, the name after`,
      steps: [...linkSetups.DISCONNECTED, step, ...linkBack.DISCONNECTED],
    });
  }

  // ------------------------------------------------------------ publish: channel names (R-M1 step 4)

  // The channel-name rule itself is the presence one (arg.subscribe.* sweeps every variant):
  // here one of each kind of outcome.
  const MESSAGE_NAMES = new Set(['trail-underscore', 'inner-space', 'len64', 'punct', 'dot', 'len65', 'lead-underscore', 'non-ascii', 'stream-prefix', 'empty', 'number', 'null-value', 'undefined', 'object']);
  for (const [label, id] of ID_VARIANTS.filter(([l]) => MESSAGE_NAMES.has(l))) {
    m({
      id: `publish.name.MESSAGE.${label}`,
      rule: 'R-M1',
      source: 'messaging §1',
      decidedBy: 'client',
      title: `publish to MESSAGE channel ${label}`,
      actors: { alice: actor('alice') },
      steps: [...up('alice'), pub('alice', id, 'x')],
    });
  }
  const USER_NAMES = new Set(['len64', 'punct', 'dot', 'lead-underscore', 'empty', 'number']);
  for (const [label, id] of ID_VARIANTS.filter(([l]) => USER_NAMES.has(l))) {
    m({
      id: `publish.name.USER.${label}`,
      rule: 'R-M1',
      source: 'messaging §1',
      decidedBy: 'client+server',
      title: `publish to USER ${label}: the channel-name rule, then offline (-11033) for a valid id nobody holds`,
      actors: { alice: actor('alice') },
      steps: [...up('alice'), pubUser('alice', id, 'x')],
    });
  }
  for (const [label, step] of [
    ['MESSAGE', pub('alice', 'a.b', 'x')],
    ['USER', pubUser('alice', 'a.b', 'x')],
  ]) {
    m({
      id: `publish.name.EXTEND.${label}`,
      rule: 'R-M1',
      source: 'messaging §1',
      decidedBy: 'client+server',
      title: `EXTEND_CHANNEL_NAME: "a.b" passes as a ${label} name`,
      params: { EXTEND_CHANNEL_NAME: true },
      actors: { alice: actor('alice') },
      steps: [...up('alice'), step],
    });
  }

  // ------------------------------------------------------------ publish: channel types (R-M1 step 2)

  // bob is logged in AND subscribed to a MESSAGE channel named "bob": his event says which way it went.
  for (const [label, opts] of [
    ['STREAM', { channelType: 'STREAM' }],
    ['lowercase-user', { channelType: 'user' }],
    ['lowercase-message', { channelType: 'message' }],
    ['trailing-space', { channelType: 'USER ' }],
    ['empty', { channelType: '' }],
    ['zero', { channelType: 0 }],
    ['null', { channelType: null }],
    ['undefined', { channelType: U }],
    ['number', { channelType: 5 }],
    ['true', { channelType: true }],
    ['USER', { channelType: 'USER' }],
    ['MESSAGE', { channelType: 'MESSAGE' }],
    ['options-string', 'USER'],
    ['options-null', null],
    ['options-undefined', U],
  ]) {
    m({
      id: `publish.channelType.${label}`,
      rule: 'R-M1',
      source: 'messaging §1',
      decidedBy: 'client',
      title: `publish with channel type ${label} (bob has a MESSAGE channel named "bob")`,
      steps: [...inRoom('bob', undefined, 'bob'), ...up('alice'), pub('alice', 'bob', 'x', opts)],
    });
  }

  // ------------------------------------------------------------ publish: messages (R-M1 step 5)

  for (const [label, msg] of [
    ['text', 'hello'],
    ['multibyte', 'é😀'],
    ['empty', ''],
    ['null', null],
    ['undefined', U],
    ['number', 5],
    ['zero', 0],
    ['true', true],
    ['object', {}],
    ['array', [1]],
    ['arraybuffer', { $: 'arraybuffer', n: 3 }],
    ['dataview', { $: 'dataview', n: 2 }],
    ['uint16array', { $: 'u16', n: 2 }],
    ['uint8array', u8([1, 2, 3])],
    ['uint8array-empty', u8(0)],
    ['buffer', buf('hi')],
  ]) {
    m({
      id: `publish.message.${label}`,
      rule: 'R-M1',
      source: 'messaging §1',
      decidedBy: 'client',
      title: `publish message ${label} (bob subscribed): -11009 unless a non-empty string or a Uint8Array`,
      steps: [...inRoom('bob'), ...up('alice'), pub('alice', ROOM, msg)],
    });
  }

  // ------------------------------------------------------------ publish: sizes (R-M1 steps 6, 9)

  for (const [label, msg, opts] of [
    ['text-32768', rep('x', 32768)],
    ['text-32769', rep('x', 32769)],
    ['e-acute-16384', rep('é', 16384)],
    ['e-acute-16385', rep('é', 16385)],
    ['emoji-8192', rep('😀', 8192)],
    ['emoji-8193', rep('😀', 8193)],
    ['bytes-32768', u8(32768)],
    ['bytes-32769', u8(32769)],
    ['text-32768-customType-1', rep('x', 32768), { customType: 'x' }],
    ['text-32760-customType-8', rep('x', 32760), { customType: 'yyyyyyyy' }],
    ['text-32761-customType-8', rep('x', 32761), { customType: 'yyyyyyyy' }],
    ['e-acute-16380-customType-e-acute-4', rep('é', 16380), { customType: 'éééé' }],
    ['e-acute-16381-customType-e-acute-4', rep('é', 16381), { customType: 'éééé' }],
    ['bytes-32760-customType-8', u8(32760), { customType: 'yyyyyyyy' }],
    ['bytes-32761-customType-8', u8(32761), { customType: 'yyyyyyyy' }],
    ['USER-text-32769', rep('x', 32769), { channelType: 'USER' }],
  ]) {
    m({
      id: `publish.size.${label}`,
      rule: 'R-M1',
      source: 'messaging §1',
      decidedBy: 'client',
      title: `publish size ${label}: the message alone over 32768 bytes is -11010 IA, with the custom type -11010 LE`,
      actors: { alice: actor('alice'), bob: actor('bob') },
      steps: [...up('bob'), ...up('alice'), pub('alice', opts?.channelType ? 'bob' : ROOM, msg, opts)],
    });
  }

  // ------------------------------------------------------------ publish: custom types (R-M1 step 7)

  for (const [label, customType] of [
    ['ct', 'ct'],
    ['len32', rep('c', 32)],
    ['len33', rep('c', 33)],
    ['e-acute-16', rep('é', 16)],
    ['e-acute-17', rep('é', 17)],
    ['empty', ''],
    ['zero', 0],
    ['false', false],
    ['null', null],
    ['undefined', U],
    ['number', 5],
    ['true', true],
    ['object', {}],
    ['array', []],
    ['uint8array-40', u8(40)],
    ['uint8array-3', u8(3)],
    ['space', ' '],
    ['dot', 'a.b'],
  ]) {
    m({
      id: `publish.customType.${label}`,
      rule: 'R-M1',
      source: 'messaging §1',
      decidedBy: 'client',
      title: `publish with customType ${label} (bob subscribed)`,
      steps: [...inRoom('bob'), ...up('alice'), pub('alice', ROOM, 'x', { customType })],
    });
  }

  // ------------------------------------------------------------ publish: check order and storeInHistory (R-M1)

  for (const [label, step, params] of [
    ['bad-name-empty-message', pub('alice', 'a.b', '')],
    ['empty-message-bad-customType', pub('alice', ROOM, '', { customType: rep('c', 40) })],
    ['too-long-bad-customType', pub('alice', ROOM, rep('x', 40000), { customType: rep('c', 40) })],
    ['STREAM-bad-name', pub('alice', 'a.b', 'x', { channelType: 'STREAM' })],
    ['bad-customType-history-off', pub('alice', ROOM, 'x', { customType: 5, storeInHistory: true }), { HISTORY_ENABLED: false }],
    ['history-off-combined-too-long', pub('alice', ROOM, rep('x', 32761), { customType: 'yyyyyyyy', storeInHistory: true }), { HISTORY_ENABLED: false }],
    ['history-off-true', pub('alice', ROOM, 'x', { storeInHistory: true }), { HISTORY_ENABLED: false }],
    ['history-off-truthy-string', pub('alice', ROOM, 'x', { storeInHistory: 'yes' }), { HISTORY_ENABLED: false }],
    ['history-off-false', pub('alice', ROOM, 'x', { storeInHistory: false }), { HISTORY_ENABLED: false }],
    ['history-off-zero', pub('alice', ROOM, 'x', { storeInHistory: 0 }), { HISTORY_ENABLED: false }],
    ['history-on-true', pub('alice', ROOM, 'x', { storeInHistory: true })],
  ]) {
    m({
      id: `publish.order.${label}`,
      rule: 'R-M1',
      source: 'messaging §1',
      decidedBy: 'client',
      title: `publish check order: ${label}`,
      actors: { alice: actor('alice') },
      ...(params ? { params } : {}),
      steps: [...up('alice'), step],
    });
  }

  // ------------------------------------------------------------ publish: the rate limit (R-M1 step 1, R-C6)

  const sixty = Array.from({ length: 60 }, (_, i) => nowait(pub('alice', ROOM, `r${i}`)));
  for (const [label, tail] of [
    ['61st', [pub('alice', ROOM, 'r60')]],
    ['61st-before-type-check', [pub('alice', ROOM, 'x', { channelType: 'STREAM' })]],
    ['next-second', [advance(1.5), pub('alice', ROOM, 'r60')]],
  ]) {
    m({
      id: `publish.rate.${label}`,
      rule: 'R-M1',
      source: 'messaging §1',
      decidedBy: 'client',
      title: `publish rate limit (60 per second, rate limits on): ${label}`,
      server: { rateLimits: true },
      actors: { alice: actor('alice') },
      steps: [...up('alice'), ...sixty, ...tail],
    });
  }

  // ------------------------------------------------------------ USER messages (R-M4, R-M23)

  const userCase = (label, title, steps, extra = {}) =>
    m({ id: `publish.user.${label}`, rule: 'R-M4', source: 'rule', decidedBy: 'client+server', title, steps, ...extra });
  userCase('offline', 'USER to a user id nobody holds: -11033, nothing delivered', [...up('alice'), pubUser('alice', 'carol', 'x')]);
  userCase('logged-out', 'USER to a user who logged out: -11033', [...up('bob'), call('bob', 'logout'), ...up('alice'), pubUser('alice', 'bob', 'x')]);
  userCase('to-bob', 'USER to bob (no subscription needed): his event has channelName = the publisher (R-M23)', [...up('bob'), ...up('alice'), pubUser('alice', 'bob', 'psst')], { rule: 'R-M23' });
  userCase('to-self', 'USER to yourself: delivered to yourself', [...up('alice'), pubUser('alice', 'alice', 'me')]);
  userCase('binary-customType', 'USER binary with a custom type', [...up('bob'), ...up('alice'), pubUser('alice', 'bob', u8([9]), { customType: 'bin' })]);
  userCase('subscribed-elsewhere', 'USER to bob while both are subscribed to a channel: only bob gets it, as USER', [...inRoom('bob'), ...inRoom('alice'), pubUser('alice', 'bob', 'dm')]);
  userCase('target-logs-in-later', 'USER offline, then the target logs in: only the later message arrives (nothing stored)', [...up('alice'), pubUser('alice', 'bob', 'first'), ...up('bob'), pubUser('alice', 'bob', 'second')]);
  userCase('target-link-down', 'USER to a user whose link is down: resolves; delivered when the link is back (R-M22)', [...up('bob'), ...up('alice'), down('bob'), pubUser('alice', 'bob', 'while-down'), upNet('bob'), advance(5)], { rule: 'R-M22' });
  userCase('other-app', 'USER to a user id logged in only in another app: -11033', [...up('bob'), ...up('alice'), pubUser('alice', 'bob', 'x')], { actors: { alice: actor('alice'), bob: actor('bob', { appId: OTHER_APP }), carol: actor('carol') } });
  userCase('offline-not-stored', 'USER offline with storeInHistory: -11033 and nothing stored', [...up('alice'), pubUser('alice', 'bob', 'x', { storeInHistory: true }), hist('alice', 'alice', 'USER')]);
  userCase('two-in-order', 'USER: three messages arrive in order', [...up('bob'), ...up('alice'), pubUser('alice', 'bob', 'u1'), pubUser('alice', 'bob', 'u2'), pubUser('alice', 'bob', 'u3')]);

  // ------------------------------------------------------------ fan-out and the receive filter (R-M9, R-M5, R-M6)

  const fan = (label, rule, title, steps, extra = {}) =>
    m({ id: `publish.fanout.${label}`, rule, source: rule === 'R-M9' || rule === 'R-M22' ? 'rule' : 'messaging §2', decidedBy: 'client+server', title, steps, ...extra });
  fan('echo-to-publisher', 'R-M9', 'the publisher subscribed withMessage gets its own message, as every subscriber', [...inRoom('bob'), ...inRoom('alice'), pub('alice', ROOM, 'hello')]);
  fan('publisher-not-subscribed', 'R-M9', 'no subscription needed to publish; the publisher gets no echo', [...inRoom('bob'), ...up('alice'), pub('alice', ROOM, 'hello')]);
  fan('nobody-subscribed', 'R-M9', 'publish to a channel nobody subscribed: resolves, nothing delivered', [...up('bob'), ...up('alice'), pub('alice', 'nobody', 'x')]);
  fan('three-receivers', 'R-M9', 'every subscriber gets it once', [...inRoom('carol'), ...inRoom('bob'), ...inRoom('dave'), ...up('alice'), pub('alice', ROOM, 'all')], { actors: ABCD });
  fan('other-channel', 'R-M9', 'a subscriber of another channel gets nothing', [...inRoom('bob', undefined, 'room2'), ...up('alice'), pub('alice', ROOM, 'x')]);
  fan('other-app', 'R-M9', 'a subscriber of the same channel name in another app gets nothing', [...inRoom('bob'), ...inRoom('carol'), ...up('alice'), pub('alice', ROOM, 'x')], { actors: { ...ABC, carol: actor('carol', { appId: OTHER_APP }) } });
  fan('withMessage-false', 'R-M5', 'subscribed withMessage false: nothing', [...inRoom('bob', { withMessage: false }), ...up('alice'), pub('alice', ROOM, 'x')]);
  fan('publisher-withMessage-false', 'R-M5', 'the publisher subscribed withMessage false gets no echo; bob does', [...inRoom('bob'), ...inRoom('alice', { withMessage: false }), pub('alice', ROOM, 'x')]);
  fan('withPresence-false', 'R-M5', 'withPresence false, withMessage default: messages arrive', [...inRoom('bob', { withPresence: false }), ...up('alice'), pub('alice', ROOM, 'x')]);
  fan('beQuiet', 'R-M5', 'a quiet subscriber gets messages', [...inRoom('bob', { beQuiet: true }), ...up('alice'), pub('alice', ROOM, 'x')]);
  fan('unsubscribe-then', 'R-M6', 'after unsubscribe: nothing', [...inRoom('bob'), call('bob', 'unsubscribe', ROOM), ...up('alice'), pub('alice', ROOM, 'x')]);
  fan('resubscribe-true-to-false', 'R-M6', 're-subscribe withMessage false: nothing after it', [...inRoom('bob'), ...up('alice'), pub('alice', ROOM, 'before'), sub('bob', ROOM, { withMessage: false }), pub('alice', ROOM, 'after')]);
  fan('resubscribe-false-to-true', 'R-M5', 're-subscribe withMessage true: messages after it', [...inRoom('bob', { withMessage: false }), ...up('alice'), pub('alice', ROOM, 'before'), sub('bob', ROOM, { withMessage: true }), pub('alice', ROOM, 'after')]);
  fan('order', 'R-M9', "one publisher's messages arrive in order", [...inRoom('bob'), ...up('alice'), pub('alice', ROOM, 'm1'), pub('alice', ROOM, 'm2'), pub('alice', ROOM, 'm3')]);
  fan('two-publishers', 'R-M9', 'two publishers interleaved: each receiver sees the publish order', [...inRoom('bob'), ...up('alice'), ...up('carol'), pub('alice', ROOM, 'a1'), pub('carol', ROOM, 'c1'), pub('alice', ROOM, 'a2')]);
  fan('two-channels', 'R-M9', 'a subscriber of two channels gets each with its channelName', [...inRoom('bob'), sub('bob', 'room2'), ...up('alice'), pub('alice', 'room2', 'two'), pub('alice', ROOM, 'one')]);
  fan('late-subscriber', 'R-M9', 'messages before the subscribe are not delivered; the next one is, at once', [...up('bob'), ...up('alice'), pub('alice', ROOM, 'm1'), pub('alice', ROOM, 'm2'), sub('bob'), pub('alice', ROOM, 'm3'), pub('alice', ROOM, 'm4')]);
  fan('idle-sender', 'R-M9', 'a sender idle for 11 s (a new SDK dialogue) is delivered as before', [...inRoom('bob'), ...up('alice'), pub('alice', ROOM, 'm1'), advance(11), pub('alice', ROOM, 'm2')]);
  fan('receiver-link-down', 'R-M22', 'a receiver whose link is down gets the messages when it is back, in order', [...inRoom('bob'), ...up('alice'), down('bob'), pub('alice', ROOM, 'd1'), pub('alice', ROOM, 'd2'), upNet('bob'), advance(5), pub('alice', ROOM, 'd3')]);
  fan('receiver-down-logout', 'R-M22', 'a receiver that logs out while down loses them', [...inRoom('bob'), ...up('alice'), down('bob'), pub('alice', ROOM, 'lost'), call('bob', 'logout'), upNet('bob'), login('bob'), sub('bob'), pub('alice', ROOM, 'after')]);
  fan(
    'receiver-down-replay-limit',
    'R-M22',
    'at most 100 messages are kept for a receiver whose link is down, the oldest dropped',
    [...inRoom('bob'), ...up('alice'), down('bob'), ...Array.from({ length: 101 }, (_, i) => nowait(pub('alice', ROOM, `k${i}`))), advance(0.5), upNet('bob'), advance(5)],
  );
  fan('binary', 'R-M7', 'a binary message arrives as bytes', [...inRoom('bob'), ...up('alice'), pub('alice', ROOM, u8([0, 255, 7]), { customType: 'b' })]);
  fan('compressed', 'R-M7', 'a 300-character message (compressed on the wire) arrives whole', [...inRoom('bob'), ...up('alice'), pub('alice', ROOM, rep('L', 300))]);
  fan('binary-compressed', 'R-M7', 'a 200-byte binary message arrives whole', [...inRoom('bob'), ...up('alice'), pub('alice', ROOM, u8(200))]);
  fan('buffer', 'R-M7', 'a Node Buffer arrives as bytes', [...inRoom('bob'), ...up('alice'), pub('alice', ROOM, buf('hi'))]);
  fan('empty-bytes', 'R-M7', 'an empty Uint8Array arrives as empty bytes', [...inRoom('bob'), ...up('alice'), pub('alice', ROOM, u8(0))]);

  // ------------------------------------------------------------ history.getMessages: checks (R-M10)

  const h = (label, rule, title, steps, extra = {}) =>
    m({ id: `history.${label}`, rule, source: rule === 'R-M11' ? 'rule' : 'messaging §4', decidedBy: rule === 'R-M11' ? 'server' : 'client', title, steps, ...extra });
  h('idle.MESSAGE', 'R-M10', 'getMessages before login: -10025', [nw('alice'), hist('alice', ROOM, M)]);
  h('idle.STREAM', 'R-M10', 'getMessages of type STREAM before login: -10019 (the type is checked first)', [nw('alice'), hist('alice', ROOM, 'STREAM')]);
  for (const [label, type] of [
    ['STREAM', 'STREAM'],
    ['undefined', U],
    ['lowercase', 'message'],
    ['number', 1],
    ['empty', ''],
  ]) {
    h(`channelType.${label}`, 'R-M10', `getMessages with channel type ${label}: -10019`, [...up('alice'), hist('alice', ROOM, type)]);
  }
  h('USER-other', 'R-M10', "getMessages of another user's USER channel: -15004", [...up('alice'), hist('alice', 'bob', 'USER')]);
  h('USER-self-empty', 'R-M11', 'getMessages of your own USER channel, nothing stored', [...up('alice'), hist('alice', 'alice', 'USER')]);
  h('MESSAGE-empty', 'R-M11', 'getMessages of a channel with nothing stored', [...up('alice'), hist('alice', ROOM, M)]);
  for (const [label, name, type] of [
    ['dot-MESSAGE', 'a.b', M],
    ['dot-USER', 'a.b', 'USER'],
    ['empty', '', M],
    ['len65', rep('a', 65), M],
    ['number', 5, M],
  ]) {
    h(`name.${label}`, 'R-M10', `getMessages with channel name ${label}: -10008`, [...up('alice'), hist('alice', name, type)]);
  }
  // Three messages 1 s apart (T0, T0+1000, T0+2000) to count and range over.
  const three = [...up('alice'), pub('alice', ROOM, 'h0', { storeInHistory: true }), advance(1), pub('alice', ROOM, 'h1', { storeInHistory: true }), advance(1), pub('alice', ROOM, 'h2', { storeInHistory: true })];
  for (const [label, rule, opts] of [
    ['start-before-end', 'R-M10', { start: 100, end: 200 }],
    ['start-equals-end', 'R-M10', { start: 200, end: 200 }],
    ['span-over-a-day', 'R-M10', { start: 86400201, end: 200 }],
    ['span-a-day', 'R-M10', { start: 86400200, end: 200 }],
    ['start-only', 'R-M11', { start: T0 + 2000 }],
    ['end-only', 'R-M11', { end: T0 + 1000 }],
    ['start-and-end', 'R-M11', { start: T0 + 2000, end: T0 }],
    ['start-exclusive-end-inclusive', 'R-M11', { start: T0 + 2000, end: T0 + 1000 }],
    ['negative-start', 'R-M11', { start: -1, end: T0 + 1000 }],
  ]) {
    h(`range.${label}`, rule, `getMessages range ${label} (three stored, 1 s apart)`, [...three, hist('alice', ROOM, M, opts)]);
  }
  for (const [label, n] of [
    ['zero', 0],
    ['one', 1],
    ['two', 2],
    ['over-limit', 500],
    ['negative', -3],
    ['string', 'x'],
  ]) {
    h(`count.${label}`, 'R-M10', `getMessages messageCount ${label} (three stored)`, [...three, hist('alice', ROOM, M, { messageCount: n })]);
  }
  for (const [label, step] of [
    ['MESSAGE', hist('alice', ROOM, M)],
    ['STREAM', hist('alice', ROOM, 'STREAM')],
    ['bad-name', hist('alice', 'a.b', M)],
  ]) {
    h(`disabled.${label}`, 'R-M10', `HISTORY_ENABLED false: getMessages ${label}`, [...up('alice'), step], { params: { HISTORY_ENABLED: false } });
  }

  for (const [label, tail] of [
    ['21st', [hist('alice', ROOM, M)]],
    ['21st-before-type-check', [hist('alice', ROOM, 'STREAM')]],
  ]) {
    h(`rate.${label}`, 'R-M10', `getMessages rate limit (20 per second, rate limits on): ${label}`, [...up('alice'), ...Array.from({ length: 20 }, () => nowait(hist('alice', ROOM, M))), ...tail], {
      server: { rateLimits: true },
      actors: { alice: actor('alice') },
    });
  }

  // ------------------------------------------------------------ history.getMessages: results (R-M11, [server] store)

  h('results.stored-only', 'R-M11', 'only storeInHistory publishes are listed, newest first', [...up('alice'), pub('alice', ROOM, 'a', { storeInHistory: true }), pub('alice', ROOM, 'b'), pub('alice', ROOM, 'c', { storeInHistory: true }), hist('alice', ROOM, M)]);
  h('results.kinds', 'R-M11', 'text with customType, binary, long text: the entries and their fields', [
    ...up('alice'),
    pub('alice', ROOM, 'h1', { storeInHistory: true, customType: 'ct1' }),
    advance(1),
    pub('alice', ROOM, u8([7, 8]), { storeInHistory: true }),
    advance(1),
    pub('alice', ROOM, rep('L', 300), { storeInHistory: true }),
    hist('alice', ROOM, M),
  ]);
  h('results.paging', 'R-M11', 'count 2 over five messages 1 s apart: newStart, then the next pages from it', [
    ...up('alice'),
    ...[0, 1, 2, 3, 4].flatMap((i) => [...(i ? [advance(1)] : []), pub('alice', ROOM, `p${i}`, { storeInHistory: true })]),
    hist('alice', ROOM, M, { messageCount: 2 }),
    hist('alice', ROOM, M, { messageCount: 2, start: T0 + 3000 }),
    hist('alice', ROOM, M, { messageCount: 2, start: T0 + 1000 }),
  ]);
  h('results.other-channel', 'R-M11', "another channel's stored messages are not listed", [...up('alice'), pub('alice', 'room2', 'elsewhere', { storeInHistory: true }), pub('alice', ROOM, 'here', { storeInHistory: true }), hist('alice', ROOM, M), hist('alice', 'room2', M)]);
  h('results.read-by-other', 'R-M11', "anyone reads a channel's history; publishers are kept", [...up('alice'), ...up('bob'), ...up('carol'), pub('alice', ROOM, 'from-alice', { storeInHistory: true }), pub('bob', ROOM, 'from-bob', { storeInHistory: true }), hist('carol', ROOM, M)]);
  h('results.USER-conversation', 'R-M11', 'getMessages(own uid, "USER"): the stored USER messages you published or received', [
    ...up('alice'),
    ...up('bob'),
    ...up('carol'),
    pubUser('alice', 'bob', 'a->b', { storeInHistory: true }),
    pubUser('bob', 'alice', 'b->a', { storeInHistory: true }),
    pubUser('carol', 'bob', 'c->b', { storeInHistory: true }),
    pubUser('alice', 'bob', 'a->b not stored'),
    pubUser('alice', 'alice', 'a->a', { storeInHistory: true }),
    hist('alice', 'alice', 'USER'),
    hist('bob', 'bob', 'USER'),
    hist('carol', 'carol', 'USER'),
  ]);
  h('results.MESSAGE-and-USER-apart', 'R-M11', 'a channel and a user of the same name keep their histories apart', [...up('alice'), ...up('bob'), pub('alice', 'bob', 'channel bob', { storeInHistory: true }), pubUser('alice', 'bob', 'user bob', { storeInHistory: true }), hist('bob', 'bob', M), hist('bob', 'bob', 'USER')]);
  h('results.other-app', 'R-M11', "another app's history of the same channel is not listed", [...up('alice'), ...up('carol'), pub('alice', ROOM, 'app-a', { storeInHistory: true }), hist('carol', ROOM, M), hist('alice', ROOM, M)], { actors: { ...ABC, carol: actor('carol', { appId: OTHER_APP }) } });

  // ------------------------------------------------------------ topics: common checks (R-M12, R-M17)

  const TOPIC_CALLS = [
    ['joinTopic', ['t1']],
    ['leaveTopic', ['t1']],
    ['subscribeTopic', ['t1']],
    ['unsubscribeTopic', ['t1']],
    ['publishTopicMessage', ['t1', 'x']],
    ['getSubscribedUserList', ['t1']],
  ];
  const t = (label, rule, title, steps, extra = {}) =>
    m({ id: `topic.${label}`, rule, source: extra.source ?? 'messaging §5', decidedBy: extra.decidedBy ?? 'client', title, steps, ...extra });
  for (const [method, args] of TOPIC_CALLS) {
    t(`before-join.${method}`, 'R-M12', `${method} before the stream channel is joined: -11001`, [...up('alice'), call('alice', 'createStreamChannel', STAGE), st('alice', method, ...args)]);
    t(`before-join-bad-name.${method}`, 'R-M12', `${method} with a bad topic name before join: -11008 (the name is checked first)`, [...up('alice'), call('alice', 'createStreamChannel', STAGE), st('alice', method, 'a.b', ...args.slice(1))]);
  }
  t('idle.joinTopic', 'R-M12', 'joinTopic before login: -10025', [nw('alice'), call('alice', 'createStreamChannel', STAGE), st('alice', 'joinTopic', 't1')]);
  t('idle.getSubscribedUserList', 'R-M17', 'getSubscribedUserList before login throws -10025', [nw('alice'), call('alice', 'createStreamChannel', STAGE), st('alice', 'getSubscribedUserList', 't1')]);
  t('after-logout.joinTopic', 'R-M12', 'joinTopic after logout: -10025', [...onStage('alice'), call('alice', 'logout'), st('alice', 'joinTopic', 't1')]);
  t('after-leave.calls', 'R-M21', 'after stream.leave every topic call is -11001', [...onStage('alice'), st('alice', 'joinTopic', 't1'), call('alice', 'stream.leave', STAGE), ...TOPIC_CALLS.map(([method, args]) => st('alice', method, ...args))]);
  for (const [label, name] of [
    ['empty', ''],
    ['dot', 'a.b'],
    ['len16', rep('x', 16)],
    ['len17', rep('x', 17)],
    ['lead-underscore', '_x'],
    ['trail-underscore', 'x_'],
    ['inner-space', 'a b'],
    ['non-ascii', 'é'],
    ['star', 'a*b'],
    ['punct', '!#$%&()+-:;<=>?@'],
    ['number', 5],
    ['null', null],
    ['undefined', U],
    ['object', {}],
  ]) {
    t(`name.${label}`, 'R-M12', `joinTopic ${label} (joined): the user-id charset, 1-16 bytes, else -11008`, [...onStage('alice'), st('alice', 'joinTopic', name)]);
  }
  for (const [method, args] of TOPIC_CALLS.filter(([x]) => x !== 'joinTopic')) {
    t(`name-bad.${method}`, 'R-M12', `${method} with topic "a.b" (joined): -11008`, [...onStage('alice'), st('alice', method, 'a.b', ...args.slice(1))]);
  }

  // ------------------------------------------------------------ joinTopic / leaveTopic (R-M13, R-M14, R-M20)

  t('join.remote-join-and-again', 'R-M13', 'joinTopic: bob gets REMOTE_JOIN; joining again resolves and sends nothing', [...onStage('bob'), ...onStage('alice'), st('alice', 'joinTopic', 't1'), st('alice', 'joinTopic', 't1')], { decidedBy: 'client+server' });
  t('join.meta-discarded', 'R-M13', "joinTopic's meta is dropped: publisherMeta is \"\"", [...onStage('bob'), ...onStage('alice'), st('alice', 'joinTopic', 't1', { meta: 'hello' })], { decidedBy: 'client+server' });
  const eight = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'].map((x) => st('alice', 'joinTopic', x));
  t('join.limit-9th', 'R-M13', '8 local topics, the 9th is -11014', [...onStage('alice'), ...eight, st('alice', 'joinTopic', 't9')]);
  t('join.limit-after-leave', 'R-M13', 'after leaving one of 8 topics another can be joined', [...onStage('alice'), ...eight, st('alice', 'leaveTopic', 't4'), st('alice', 'joinTopic', 't9')]);
  const twenty = (method, ...args) => Array.from({ length: 20 }, () => nowait(st('alice', method, ...args)));
  for (const [label, title, tail] of [
    ['joinTopic-21st', 'the 21st joinTopic is -10021, before the name check', [...twenty('joinTopic', 't1'), st('alice', 'joinTopic', 'a.b')]],
    ['subscribeTopic-21st', 'the 21st subscribeTopic of one topic is -10021', [...twenty('subscribeTopic', 't1', { users: ['u'] }), st('alice', 'subscribeTopic', 't1', { users: ['v'] })]],
    [
      'subscribeTopic-queued',
      "subscribeTopic calls of one topic run one after the other, each checking the rate when its turn comes: a 21st call of another topic is checked before the 20th one's",
      [...twenty('subscribeTopic', 't1', { users: ['u'] }), st('alice', 'subscribeTopic', 'a.b', { users: ['u'] })],
    ],
  ]) {
    t(`rate.${label}`, 'R-M12', `topic rate limit (20 per second, rate limits on): ${title}`, [...onStage('alice'), ...tail], { server: { rateLimits: true }, actors: { alice: actor('alice') } });
  }
  t('leave.not-joined', 'R-M14', 'leaveTopic of a topic not joined: -11016', [...onStage('alice'), st('alice', 'leaveTopic', 'zz')]);
  t('leave.remote-leave', 'R-M20', 'leaveTopic: the others get REMOTE_LEAVE', [...onStage('bob'), ...onStage('carol'), ...onStage('alice'), st('alice', 'joinTopic', 't1'), st('alice', 'leaveTopic', 't1')], { decidedBy: 'client+server' });
  t('leave.and-rejoin', 'R-M20', 'leaveTopic then joinTopic: REMOTE_LEAVE then REMOTE_JOIN', [...onStage('bob'), ...onStage('alice'), st('alice', 'joinTopic', 't1'), st('alice', 'leaveTopic', 't1'), st('alice', 'joinTopic', 't1')], { decidedBy: 'client+server' });

  // ------------------------------------------------------------ topic events (R-M20, R-M21)

  const ev = (label, title, steps, extra = {}) => t(`events.${label}`, 'R-M20', title, steps, { source: 'rule', decidedBy: 'client+server', ...extra });
  ev('snapshot-empty', 'a join emits a SNAPSHOT with no topics', [...onStage('alice')]);
  ev('snapshot-topics', 'SNAPSHOT after join: every remote topic with its publishers (users in stream-join order, then topic-join order)', [
    ...onStage('alice'),
    st('alice', 'joinTopic', 't1'),
    st('alice', 'joinTopic', 't2'),
    ...onStage('carol'),
    st('carol', 'joinTopic', 't1'),
    st('carol', 'joinTopic', 't3'),
    ...onStage('bob'),
  ]);
  ev('no-self-events', 'no topic events about yourself', [...onStage('alice'), st('alice', 'joinTopic', 't1'), st('alice', 'leaveTopic', 't1')]);
  ev('leave-channel', 'leaving the stream channel: one REMOTE_LEAVE per topic to the others', [...onStage('bob'), ...onStage('alice'), st('alice', 'joinTopic', 't1'), st('alice', 'joinTopic', 't2'), call('alice', 'stream.leave', STAGE)]);
  ev('logout', 'logout while holding topics: REMOTE_LEAVE per topic to the others', [...onStage('bob'), ...onStage('alice'), st('alice', 'joinTopic', 't1'), st('alice', 'joinTopic', 't2'), call('alice', 'logout')]);
  ev('rejoin-snapshot', 'leave and join the stream channel again: a new SNAPSHOT', [...onStage('alice'), st('alice', 'joinTopic', 't1'), ...onStage('bob'), call('bob', 'stream.leave', STAGE), join('bob')]);
  ev('other-channel', 'topics of another stream channel are not seen', [...onStage('bob'), ...up('alice'), join('alice', 'stage2'), call('alice', 'stream.joinTopic', 'stage2', 't1')]);
  ev('two-publishers-leave', 'two publishers of one topic: REMOTE_LEAVE for the one who leaves', [...onStage('bob'), ...onStage('alice'), ...onStage('carol'), st('alice', 'joinTopic', 't1'), st('carol', 'joinTopic', 't1'), st('alice', 'leaveTopic', 't1')]);

  // ------------------------------------------------------------ subscribeTopic (R-M15)

  const sc = (label, title, steps, extra = {}) => t(`subscribe.${label}`, 'R-M15', title, steps, { decidedBy: 'client+server', ...extra });
  const aliceCarolT1 = [...onStage('bob'), ...onStage('alice'), st('alice', 'joinTopic', 't1'), ...onStage('carol'), st('carol', 'joinTopic', 't1')];
  sc('all-publishers', 'subscribeTopic with no users: every publisher of the topic', [...aliceCarolT1, st('bob', 'subscribeTopic', 't1'), st('bob', 'getSubscribedUserList', 't1')]);
  sc('again', 'subscribeTopic again: no one new, empty lists', [...aliceCarolT1, st('bob', 'subscribeTopic', 't1'), st('bob', 'subscribeTopic', 't1')]);
  sc('users-empty-list', 'subscribeTopic users []: every publisher', [...aliceCarolT1, st('bob', 'subscribeTopic', 't1', { users: [] })]);
  sc('users-invalid-and-duplicate', 'users ["alice", "a.b", "alice"]: "a.b" failed with 4, alice once', [...aliceCarolT1, st('bob', 'subscribeTopic', 't1', { users: ['alice', 'a.b', 'alice'] })]);
  sc('users-one-of-two', 'users ["carol"] of a topic alice and carol publish', [...aliceCarolT1, st('bob', 'subscribeTopic', 't1', { users: ['carol'] }), st('bob', 'getSubscribedUserList', 't1')]);
  sc('user-not-publishing', 'a listed user who does not publish the topic is pre-subscribed', [...aliceCarolT1, st('bob', 'subscribeTopic', 't1', { users: ['dave'] }), st('bob', 'getSubscribedUserList', 't1')], { actors: ABCD });
  sc('unknown-no-users', 'an unknown topic without users: -11017', [...onStage('bob'), st('bob', 'subscribeTopic', 'nope')]);
  sc('unknown-with-users', 'an unknown topic with users: pre-subscribed, succeeded', [...onStage('bob'), st('bob', 'subscribeTopic', 'nope', { users: ['ghost'] }), st('bob', 'getSubscribedUserList', 'nope')]);
  sc('own-topic', 'your own local topic without users: empty lists', [...onStage('alice'), st('alice', 'joinTopic', 't1'), st('alice', 'subscribeTopic', 't1')]);
  sc('pre-then-join', 'pre-subscribed, then the publisher joins: subscribed, its messages arrive', [
    ...onStage('bob'),
    ...onStage('alice'),
    st('bob', 'subscribeTopic', 't5', { users: ['alice'] }),
    st('alice', 'joinTopic', 't5'),
    st('alice', 'publishTopicMessage', 't5', 'pre-sub works'),
    st('bob', 'getSubscribedUserList', 't5'),
  ]);
  sc('publisher-leaves', 'a subscribed publisher leaves the topic: pre-subscribed again; back: subscribed again', [
    ...onStage('bob'),
    ...onStage('alice'),
    st('alice', 'joinTopic', 't1'),
    st('bob', 'subscribeTopic', 't1'),
    st('alice', 'leaveTopic', 't1'),
    st('bob', 'getSubscribedUserList', 't1'),
    st('alice', 'joinTopic', 't1'),
    st('alice', 'publishTopicMessage', 't1', 'back'),
  ]);
  sc('64-users', 'an unknown topic with 64 users (code-point order): all pre-subscribed', [...onStage('bob'), st('bob', 'subscribeTopic', 'big', { users: list(64, 'u', 2) })]);
  sc('65-users', 'an unknown topic with 65 users (code-point order): 64 pre-subscribed, the last failed with 20003', [...onStage('bob'), st('bob', 'subscribeTopic', 'big', { users: list(65, 'u', 2) })]);
  sc('64-then-one', 'a topic holding 64 (pre-)subscribed users: one more is -11003', [...onStage('bob'), st('bob', 'subscribeTopic', 'big', { users: list(64, 'u', 2) }), st('bob', 'subscribeTopic', 'big', { users: ['x'] })]);
  sc(
    '52nd-topic',
    '51 topics with subscribed users are allowed, the 52nd is -11014',
    [...onStage('bob'), ...Array.from({ length: 52 }, (_, i) => st('bob', 'subscribeTopic', `k${String(i).padStart(2, '0')}`, { users: ['u'] }))],
  );

  // ------------------------------------------------------------ unsubscribeTopic, getSubscribedUserList (R-M16, R-M17)

  const aliceT1BobSub = [...onStage('bob'), ...onStage('alice'), st('alice', 'joinTopic', 't1'), st('bob', 'subscribeTopic', 't1')];
  t('unsubscribe.unknown-users', 'R-M16', 'unsubscribeTopic of users not subscribed or invalid: resolves {timestamp}', [...aliceT1BobSub, st('bob', 'unsubscribeTopic', 't1', { users: ['zed', 'a.b'] }), st('bob', 'getSubscribedUserList', 't1')], { decidedBy: 'client+server' });
  t('unsubscribe.publisher', 'R-M16', 'unsubscribe the publisher: its messages stop; then nothing is subscribed (-11013)', [
    ...aliceT1BobSub,
    st('bob', 'unsubscribeTopic', 't1', { users: ['alice'] }),
    st('alice', 'publishTopicMessage', 't1', 'after-unsub'),
    st('bob', 'getSubscribedUserList', 't1'),
    st('bob', 'unsubscribeTopic', 't1'),
  ], { decidedBy: 'client+server' });
  t('unsubscribe.pre-subscribed', 'R-M16', 'unsubscribe a pre-subscribed user', [...onStage('bob'), st('bob', 'subscribeTopic', 't3', { users: ['carol', 'dave'] }), st('bob', 'unsubscribeTopic', 't3', { users: ['carol'] }), st('bob', 'getSubscribedUserList', 't3')], { actors: ABCD });
  t('unsubscribe.all', 'R-M16', 'unsubscribeTopic with no users: everyone', [...aliceT1BobSub, st('bob', 'subscribeTopic', 't1', { users: ['ghost'] }), st('bob', 'unsubscribeTopic', 't1'), st('bob', 'getSubscribedUserList', 't1'), st('alice', 'publishTopicMessage', 't1', 'none')], { decidedBy: 'client+server' });
  t('unsubscribe.never', 'R-M16', 'unsubscribeTopic of a topic never subscribed: -11013', [...onStage('bob'), st('bob', 'unsubscribeTopic', 'never')]);
  t('userlist.order', 'R-M17', 'getSubscribedUserList: subscribed, then pre-subscribed', [...aliceT1BobSub, st('bob', 'subscribeTopic', 't1', { users: ['zed'] }), st('bob', 'getSubscribedUserList', 't1')], { decidedBy: 'client+server' });
  t('userlist.not-subscribed', 'R-M17', 'getSubscribedUserList of a topic not subscribed throws -11013', [...onStage('bob'), st('bob', 'getSubscribedUserList', 't4')]);

  // ------------------------------------------------------------ publishTopicMessage (R-M18, R-M19)

  const aliceT1 = [...aliceT1BobSub];
  for (const [label, args] of [
    ['text', ['hi']],
    ['bytes-customType', [u8([1, 2]), { customType: 'ct' }]],
    ['empty', ['']],
    ['bytes-empty', [u8(0)]],
    ['number', [5]],
    ['null', [null]],
    ['undefined', [U]],
    ['object', [{}]],
    ['arraybuffer', [{ $: 'arraybuffer', n: 2 }]],
    ['text-1024', [rep('x', 1024)]],
    ['text-1025', [rep('x', 1025)]],
    ['e-acute-512', [rep('é', 512)]],
    ['e-acute-513', [rep('é', 513)]],
    ['text-1020-customType-4', [rep('x', 1020), { customType: 'abcd' }]],
    ['text-1021-customType-4', [rep('x', 1021), { customType: 'abcd' }]],
    ['bytes-1024', [u8(1024)]],
    ['bytes-1025', [u8(1025)]],
    ['subarray-of-2000', [{ $: 'subarray', n: 2000, start: 0, end: 2 }]],
    ['buffer-pooled', [buf('hi')]],
    ['customType-33', ['x', { customType: rep('c', 33) }]],
    ['customType-number', ['x', { customType: 7 }]],
    ['empty-customType-33', ['', { customType: rep('c', 33) }]],
  ]) {
    t(`publish.${label}`, 'R-M18', `publishTopicMessage ${label} (bob subscribed alice in t1)`, [...aliceT1, st('alice', 'publishTopicMessage', 't1', ...args)], { decidedBy: 'client+server' });
  }
  t('publish.not-joined', 'R-M18', 'publishTopicMessage to a topic not joined: -11016', [...aliceT1, st('alice', 'publishTopicMessage', 't9', 'x')]);
  t('publish.not-joined-too-long', 'R-M18', 'a topic not joined and too long: -11010 (the size is checked first)', [...aliceT1, st('alice', 'publishTopicMessage', 't9', rep('x', 2000))]);
  t('publish.subscriber-not-joined', 'R-M18', "bob publishes to alice's topic he did not join: -11016", [...aliceT1, st('bob', 'publishTopicMessage', 't1', 'x')]);
  t('publish.not-subscribed', 'R-M19', 'a member of the stream channel that did not subscribe gets nothing', [...aliceT1, ...onStage('carol'), st('alice', 'publishTopicMessage', 't1', 'only-bob')], { decidedBy: 'client+server' });
  t('publish.two-topics', 'R-M19', 'messages of two topics: each event names its topic', [...aliceT1, st('alice', 'joinTopic', 't2'), st('bob', 'subscribeTopic', 't2'), st('alice', 'publishTopicMessage', 't2', 'in-t2'), st('alice', 'publishTopicMessage', 't1', 'in-t1')], { decidedBy: 'client+server' });
  t('publish.order', 'R-M19', 'three topic messages arrive in order', [...aliceT1, st('alice', 'publishTopicMessage', 't1', 'o1'), st('alice', 'publishTopicMessage', 't1', 'o2'), st('alice', 'publishTopicMessage', 't1', 'o3')], { decidedBy: 'client+server' });
  t('publish.link-DISCONNECTED', 'R-M12', "alice's network down: her RTC link goes down with it ([ours]), so her stream link is CONNECTING and topic calls are -11001; back: RECONNECTED", [...aliceT1, down('alice'), st('alice', 'publishTopicMessage', 't1', 'while-down'), st('alice', 'joinTopic', 't2'), upNet('alice'), advance(5), st('alice', 'publishTopicMessage', 't1', 'after')], { source: 'rule', decidedBy: 'client+server' });
  t('publish.receiver-down-lost', 'R-M12', "topic messages sent while the receiver's network is down are lost (never kept)", [...aliceT1, down('bob'), st('alice', 'publishTopicMessage', 't1', 'lost'), upNet('bob'), advance(5), st('alice', 'publishTopicMessage', 't1', 'after')], { source: 'rule', decidedBy: 'client+server' });
  t('events.catch-up-after-network', 'R-M12', "topic changes while bob's network is down reach him when it is back, as the SDK's RTC-reconnect diff (REMOTE_JOIN, REMOTE_LEAVE)", [
    ...onStage('bob'),
    ...onStage('alice'),
    st('alice', 'joinTopic', 't1'),
    down('bob'),
    st('alice', 'joinTopic', 't2'),
    st('alice', 'leaveTopic', 't1'),
    upNet('bob'),
    advance(5),
  ], { source: 'rule', decidedBy: 'client+server' });
  t('link-down.stream-leave', 'R-M12', "leaving a joined stream channel while the network (and so the RTC link) is down", [...onStage('bob'), ...onStage('alice'), down('alice'), st('alice', 'leave'), upNet('alice'), advance(5)], { source: 'rule', decidedBy: 'client+server' });
  t('link-down.stream-join-again', 'R-M12', "joining a joined stream channel again while the network is down", [...onStage('alice'), down('alice'), join('alice'), upNet('alice'), advance(5)], { source: 'rule', decidedBy: 'client+server' });
  t('link-down.two-channels', 'R-M12', "the network goes down with two stream channels joined: each one's link reconnects", [...onStage('alice'), join('alice', 'stage2'), down('alice'), advance(40), upNet('alice'), advance(40)], { source: 'rule', decidedBy: 'client+server' });
}
