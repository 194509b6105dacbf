// The storage (metadata) cases of the oracle (issue 17): channel and user metadata, their
// check order, resolved values and key orders, CAS, lock-guarded writes, the `storage` event.
// Added to the table by cases.js (addStorageCases); plain data like the rest.
//
// Every case has `family: "storage"`: the runner also records `storage` / `lock` / `token` /
// `tokenPrivilegeWillExpire` events (timestamp excluded, key order as `shape`) and the key
// order of every family call's result; a leg whose client lacks `rtm.storage` (or a call the
// case makes) skips the case.
// `decidedBy`: "client" (agora-rtm.js 2.3.0 decides), "server" (the fake server,
// sdk/fake-storage.js, written to the proposed decisions D-ST1..D-ST10), "client+server".
// Sources: "runtime" = agora-rtm.js 2.3.0 (docs/semantics.md, R-ST1..R-ST20); "rule"
// = a proposed emulator decision (D-ST…).

import { actor, call, inRoom, login, nw, ROOM, sub, up } from './lib/steps.js';

const U = { $: 'undefined' };
const NAN = { $: 'num', s: 'NaN' };
const rep = (s, n) => ({ $: 'repeat', s, n });
const M = 'MESSAGE';
const S = 'STREAM';
const STAGE = 'stage';

const st = (who, method, ...args) => call(who, `storage.${method}`, ...args);
const lk = (who, method, ...args) => call(who, `lock.${method}`, ...args);
const item = (key, value, extra = {}) => ({ key, value, ...extra });
const items = (n, value = 'v', prefix = 'k') => Array.from({ length: n }, (_, i) => item(`${prefix}${i}`, value));
const setCh = (who, data, opts, ch = ROOM, type = M) => (opts === undefined ? st(who, 'setChannelMetadata', ch, type, data) : st(who, 'setChannelMetadata', ch, type, data, opts));
const updCh = (who, data, opts, ch = ROOM, type = M) => (opts === undefined ? st(who, 'updateChannelMetadata', ch, type, data) : st(who, 'updateChannelMetadata', ch, type, data, opts));
const rmCh = (who, opts, ch = ROOM, type = M) => (opts === undefined ? st(who, 'removeChannelMetadata', ch, type) : st(who, 'removeChannelMetadata', ch, type, opts));
const getCh = (who, ch = ROOM, type = M) => st(who, 'getChannelMetadata', ch, type);
const setU = (who, data, opts) => (opts === undefined ? st(who, 'setUserMetadata', data) : st(who, 'setUserMetadata', data, opts));
const updU = (who, data, opts) => (opts === undefined ? st(who, 'updateUserMetadata', data) : st(who, 'updateUserMetadata', data, opts));
const rmU = (who, opts) => (opts === undefined ? st(who, 'removeUserMetadata') : st(who, 'removeUserMetadata', opts));
const getU = (who, opts) => (opts === undefined ? st(who, 'getUserMetadata') : st(who, 'getUserMetadata', opts));
const subU = (who, uid) => st(who, 'subscribeUserMetadata', uid);
const unsubU = (who, uid) => st(who, 'unsubscribeUserMetadata', uid);
const down = (who) => ({ who, net: 'down' });
const upNet = (who) => ({ who, net: 'up' });
const advance = (s) => ({ advance: s });
const join = (who, ch = STAGE, opts) => (opts === undefined ? call(who, 'stream.join', ch) : call(who, 'stream.join', ch, opts));

const A = { alice: actor('alice') };
const AB = { alice: actor('alice'), bob: actor('bob') };
const ABC = { ...AB, carol: actor('carol') };

/** The ten storage calls with good arguments (R-ST1). */
const ALL_CALLS = [
  ['setChannelMetadata', (w) => setCh(w, [item('a', '1')])],
  ['updateChannelMetadata', (w) => updCh(w, [item('a', '1')])],
  ['removeChannelMetadata', (w) => rmCh(w)],
  ['getChannelMetadata', (w) => getCh(w)],
  ['setUserMetadata', (w) => setU(w, [item('a', '1')])],
  ['updateUserMetadata', (w) => updU(w, [item('a', '1')])],
  ['removeUserMetadata', (w) => rmU(w)],
  ['getUserMetadata', (w) => getU(w)],
  ['subscribeUserMetadata', (w) => subU(w, 'bob')],
  ['unsubscribeUserMetadata', (w) => unsubU(w, 'bob')],
];
const CHANNEL_CALLS = [
  ['setChannelMetadata', (w, ch, t) => setCh(w, [item('a', '1')], undefined, ch, t)],
  ['updateChannelMetadata', (w, ch, t) => updCh(w, [item('a', '1')], undefined, ch, t)],
  ['removeChannelMetadata', (w, ch, t) => rmCh(w, undefined, ch, t)],
  ['getChannelMetadata', (w, ch, t) => getCh(w, ch, t)],
];

/**
 * Add the storage cases through `add` (cases.js's: it rejects duplicate ids).
 * @param add (case) => void
 */
export function addStorageCases(add) {
  const s = (c) => add({ actors: A, decidedBy: 'client', ...c, family: 'storage' });

  // ------------------------------------------------------------ before login, types (R-ST3, R-ST8)
  for (const [label, mk] of ALL_CALLS) {
    s({ id: `storage.idle.${label}`, rule: 'R-ST3', source: 'runtime', title: `${label} before login: -10025`, steps: [nw('alice'), mk('alice')] });
  }
  for (const [label, mk] of CHANNEL_CALLS) {
    for (const [tl, type] of [
      ['USER', 'USER'],
      ['missing', U],
      ['lowercase', 'message'],
      ['number', 1],
    ]) {
      s({ id: `storage.type.idle.${label}.${tl}`, rule: 'R-ST3', source: 'runtime', title: `${label} before login with channel type ${tl}: -10019 before the link`, steps: [nw('alice'), mk('alice', ROOM, type)] });
      s({ id: `storage.type.${label}.${tl}`, rule: 'R-ST3', source: 'runtime', title: `${label} with channel type ${tl}: -10019`, steps: [...up('alice'), mk('alice', ROOM, type)] });
    }
    for (const [nl, name] of [
      ['dot', 'a.b'],
      ['empty', ''],
      ['lead-underscore', '_x'],
      ['len65', rep('a', 65)],
      ['len64', rep('a', 64)],
      ['number', 5],
    ]) {
      s({ id: `storage.name.${label}.${nl}`, rule: 'R-ST3', source: 'runtime', title: `${label} on channel ${nl}`, steps: [...up('alice'), mk('alice', name, M)] });
    }
    s({ id: `storage.disabled.${label}`, rule: 'R-ST3', source: 'runtime', title: `${label} with STORAGE_ENABLED false: -12019 before the channel name`, params: { STORAGE_ENABLED: false }, steps: [...up('alice'), mk('alice', 'a.b', M)] });
    s({ id: `storage.link.DISCONNECTED.${label}`, rule: 'R-ST3', source: 'runtime', title: `${label} while DISCONNECTED: -10025`, steps: [...up('alice'), down('alice'), mk('alice', ROOM, M), upNet('alice'), advance(3)] });
  }
  for (const [label, mk] of ALL_CALLS.slice(4)) {
    s({ id: `storage.disabled.${label}`, rule: 'R-ST8', source: 'runtime', title: `${label} with STORAGE_ENABLED false: -12019`, params: { STORAGE_ENABLED: false }, steps: [...up('alice'), mk('alice')] });
    s({ id: `storage.link.DISCONNECTED.${label}`, rule: label === 'unsubscribeUserMetadata' ? 'R-ST14' : 'R-ST8', source: 'runtime', title: `${label} while DISCONNECTED`, steps: [...up('alice'), down('alice'), mk('alice'), upNet('alice'), advance(3)] });
  }
  s({ id: 'storage.disabled.subscribeUserMetadata.user-sub', rule: 'R-ST13', source: 'runtime', title: 'subscribeUserMetadata with STORAGE_USER_SUB_ENABLED false: -12019', params: { STORAGE_USER_SUB_ENABLED: false }, steps: [...up('alice'), subU('alice', 'bob')] });
  s({ id: 'storage.disabled.withMetadata', rule: 'R-ST15', source: 'runtime', title: 'subscribe withMetadata with STORAGE_CHANNEL_SUB_ENABLED false: -12019', params: { STORAGE_CHANNEL_SUB_ENABLED: false }, steps: [...up('alice'), sub('alice', ROOM, { withMetadata: true })] });

  // ------------------------------------------------------------ item conversion (R-ST4), item checks (R-ST5), JSON (R-ST6)
  const ITEM_VARIANTS = [
    ['data-undefined', U],
    ['data-null', null],
    ['data-string', 'ab'],
    ['data-object', { key: 'a', value: '1' }],
    ['item-null', [null]],
    ['no-key', [{ value: '1' }]],
    ['key-number', [item(1, '1')]],
    ['rev-float', [item('a', '1', { revision: 1.5 })]],
    ['rev-string', [item('a', '1', { revision: '1' })]],
    ['rev-nan', [item('a', '1', { revision: NAN })]],
    ['rev-minus2', [item('a', '1', { revision: -2 })]],
    ['items-33', items(33)],
    ['items-32', items(32)],
    ['items-0', []],
    ['key-empty', [item('', '1')]],
    ['key-underscore', [item('_a', '1')]],
    ['key-dot', [item('a.b', '1')]],
    ['key-33-bytes', [item(rep('k', 33), '1')]],
    ['key-32-bytes', [item(rep('k', 32), '1')]],
    ['key-65', [item(rep('k', 65), '1')]],
    ['key-utf8-33', [item(`${rep('k', 31)}é`, '1')]],
    ['value-number', [item('a', 1)]],
    ['value-null', [item('a', null)]],
    ['value-absent', [{ key: 'a' }]],
    ['value-16385', [item('a', rep('v', 16385))]],
    ['value-16384', [item('a', rep('v', 16384))]],
    ['value-16000', [item('a', rep('v', 16000))]],
    ['json-overflow', items(32, rep('v', 600))],
    ['dup-keys', [item('b', '1'), item('a', '1'), item('b', '9')]],
    ['bad-key-then-bad-value', [item('_a', 1)]],
    ['value-then-key', [item('a', 1), item('_b', '1')]],
    ['items-33-bad', [...items(32), item('_x', 1)]],
  ];
  for (const [method, mk] of [
    ['setChannelMetadata', (d) => setCh('alice', d)],
    ['updateChannelMetadata', (d) => updCh('alice', d)],
    ['removeChannelMetadata', (d) => rmCh('alice', { data: d })],
    ['setUserMetadata', (d) => setU('alice', d)],
    ['updateUserMetadata', (d) => updU('alice', d)],
    ['removeUserMetadata', (d) => rmU('alice', { data: d })],
  ]) {
    const pre = method.startsWith('update') ? [method.endsWith('ChannelMetadata') ? setCh('alice', [item('a', '0'), item('b', '0')]) : setU('alice', [item('a', '0'), item('b', '0')])] : [];
    for (const [label, data] of ITEM_VARIANTS) {
      if (method.startsWith('remove') && (label === 'items-0' || label === 'data-undefined')) continue;
      s({
        id: `storage.items.${method}.${label}`,
        rule: /^(data|item-null|no-key|key-number|rev-float|rev-string|rev-nan|dup)/.test(label) ? 'R-ST4' : /json|16384|16000/.test(label) ? 'R-ST6' : 'R-ST5',
        source: 'runtime',
        decidedBy: 'client+server',
        title: `${method} with ${label}`,
        steps: [...up('alice'), ...pre, mk(data), method.endsWith('ChannelMetadata') ? getCh('alice') : getU('alice')],
      });
    }
  }
  const MAJOR_VARIANTS = [
    ['string', '3'],
    ['minus2', -2],
    ['float', 1.5],
    ['zero', 0],
    ['minus1', -1],
    ['nan', NAN],
    ['null', null],
  ];
  for (const [method, mk] of [
    ['setChannelMetadata', (o) => setCh('alice', [item('a', '1')], o)],
    ['updateChannelMetadata', (o) => updCh('alice', [item('a', '1')], o)],
    ['removeChannelMetadata', (o) => rmCh('alice', { data: [item('a', '1')], ...o })],
    ['removeChannelMetadata.clear', (o) => rmCh('alice', o)],
    ['setUserMetadata', (o) => setU('alice', [item('a', '1')], o)],
    ['updateUserMetadata', (o) => updU('alice', [item('a', '1')], o)],
    ['removeUserMetadata.clear', (o) => rmU('alice', o)],
  ]) {
    for (const [label, v] of MAJOR_VARIANTS) {
      s({ id: `storage.major.${method}.${label}`, rule: method.includes('clear') ? 'R-ST7' : 'R-ST5', source: 'runtime', decidedBy: 'client+server', title: `${method} with majorRevision ${label}`, steps: [...up('alice'), mk({ majorRevision: v }), getCh('alice')] });
    }
  }
  for (const [method, mk] of [
    ['updateChannelMetadata', (d) => updCh('alice', d)],
    ['removeChannelMetadata', (d) => rmCh('alice', { data: d })],
  ]) {
    s({ id: `storage.items.${method}.rev-zero`, rule: 'R-ST5', source: 'runtime', title: `${method} with an item revision 0: -12005`, steps: [...up('alice'), setCh('alice', [item('a', '1')]), mk([item('a', '1', { revision: 0 })])] });
  }
  s({ id: 'storage.order.options-null', rule: 'R-ST1', source: 'runtime', decidedBy: 'client+server', title: 'setChannelMetadata with options null', steps: [...up('alice'), setCh('alice', [item('a', '1')], null), getCh('alice')] });
  s({ id: 'storage.order.options-string', rule: 'R-ST1', source: 'runtime', decidedBy: 'client+server', title: 'setChannelMetadata with options "x"', steps: [...up('alice'), setCh('alice', [item('a', '1')], 'x'), getCh('alice')] });

  // ------------------------------------------------------------ lock-guarded writes (R-ST7, R-ST9)
  for (const [label, steps] of [
    ['set.bad-lock-and-no-items', [setCh('alice', [], { lockName: '_l' })]],
    ['update.bad-lock-and-no-items', [updCh('alice', [], { lockName: '_l' })]],
    ['remove.bad-lock-and-bad-rev', [rmCh('alice', { data: [item('a', '1', { revision: 1.5 })], lockName: '_l' })]],
    ['set.lock-number', [setCh('alice', [item('a', '1')], { lockName: 5 })]],
    ['set.lock-empty', [setCh('alice', [item('a', '1')], { lockName: '' })]],
    ['set.not-held', [setCh('alice', [item('a', '1')], { lockName: 'L' })]],
    ['set.lock-exists-not-acquired', [lk('alice', 'setLock', ROOM, M, 'L'), setCh('alice', [item('a', '1')], { lockName: 'L' })]],
    ['set.held', [lk('alice', 'setLock', ROOM, M, 'L'), lk('alice', 'acquireLock', ROOM, M, 'L'), setCh('alice', [item('a', '1')], { lockName: 'L' }), getCh('alice')]],
    ['update.held', [lk('alice', 'setLock', ROOM, M, 'L'), lk('alice', 'acquireLock', ROOM, M, 'L'), setCh('alice', [item('a', '1')]), updCh('alice', [item('a', '2')], { lockName: 'L' }), getCh('alice')]],
    ['remove.held', [lk('alice', 'setLock', ROOM, M, 'L'), lk('alice', 'acquireLock', ROOM, M, 'L'), setCh('alice', [item('a', '1')]), rmCh('alice', { lockName: 'L' }), getCh('alice')]],
    ['set.held-other-type', [lk('alice', 'setLock', ROOM, S, 'L'), lk('alice', 'acquireLock', ROOM, S, 'L'), setCh('alice', [item('a', '1')], { lockName: 'L' })]],
    ['set.held-released', [lk('alice', 'setLock', ROOM, M, 'L'), lk('alice', 'acquireLock', ROOM, M, 'L'), lk('alice', 'releaseLock', ROOM, M, 'L'), setCh('alice', [item('a', '1')], { lockName: 'L' })]],
    ['user.lock-ignored', [setU('alice', [item('a', '1')], { lockName: '_bad' }), getU('alice')]],
  ]) {
    s({ id: `storage.lock.${label}`, rule: 'R-ST9', source: 'runtime', decidedBy: /held\b|held\./.test(label) ? 'client+server' : 'client', title: `lock-guarded write: ${label}`, steps: [...up('alice'), ...steps] });
  }
  s({
    id: 'storage.lock.held-by-other',
    rule: 'R-ST9',
    source: 'runtime',
    title: 'bob writes with a lock alice holds: -12008 (his client does not hold it)',
    actors: AB,
    steps: [...up('alice'), ...up('bob'), lk('alice', 'setLock', ROOM, M, 'L'), lk('alice', 'acquireLock', ROOM, M, 'L'), setCh('bob', [item('a', '1')], { lockName: 'L' })],
  });

  // ------------------------------------------------------------ remove / clear (R-ST7, D-ST3)
  for (const [label, steps] of [
    ['clear-no-data', [rmCh('alice')]],
    ['clear-empty-data', [rmCh('alice', { data: [] })]],
    ['clear-major-0-nonempty', [rmCh('alice', { majorRevision: 0 })]],
    ['clear-major-current', [rmCh('alice', { majorRevision: 2 })]],
    ['clear-major-stale', [rmCh('alice', { majorRevision: 1 })]],
    ['data-value-absent', [rmCh('alice', { data: [{ key: 'a' }] })]],
    ['data-absent-key', [rmCh('alice', { data: [item('zz', 'x')] })]],
    ['data-rev-current', [rmCh('alice', { data: [item('a', '', { revision: 1 })] })]],
    ['data-rev-stale', [rmCh('alice', { data: [item('a', '', { revision: 7 })] })]],
  ]) {
    s({ id: `storage.remove.${label}`, rule: 'D-ST3', source: 'rule', decidedBy: 'client+server', title: `removeChannelMetadata: ${label}`, steps: [...up('alice'), setCh('alice', [item('a', '1')]), setCh('alice', [item('b', '2')]), ...steps, getCh('alice')] });
  }
  s({ id: 'storage.remove.clear-major-0-empty', rule: 'R-ST20', source: 'rule', decidedBy: 'client+server', title: 'clear with majorRevision 0 on an empty channel (CAS at 0): ok', steps: [...up('alice'), rmCh('alice', { majorRevision: 0 }), getCh('alice')] });
  s({ id: 'storage.remove.user-clear', rule: 'D-ST3', source: 'rule', decidedBy: 'client+server', title: 'removeUserMetadata without data clears', steps: [...up('alice'), setU('alice', [item('a', '1'), item('b', '2')]), rmU('alice'), getU('alice')] });

  // ------------------------------------------------------------ CAS (D-ST4), set / update semantics (D-ST3)
  for (const [label, steps] of [
    ['major-current', [setCh('alice', [item('c', '3')], { majorRevision: 1 })]],
    ['major-stale', [setCh('alice', [item('c', '3')], { majorRevision: 0 })]],
    ['major-future', [setCh('alice', [item('c', '3')], { majorRevision: 5 })]],
    ['item-rev-current', [setCh('alice', [item('a', '9', { revision: 1 })])]],
    ['item-rev-stale', [setCh('alice', [item('a', '9', { revision: 2 })])]],
    ['item-rev-0-existing', [setCh('alice', [item('a', '9', { revision: 0 })])]],
    ['item-rev-0-new', [setCh('alice', [item('n', '9', { revision: 0 })])]],
    ['update-absent-key', [updCh('alice', [item('zz', '9')])]],
    ['update-mixed-absent', [updCh('alice', [item('a', '9'), item('zz', '9')])]],
    ['update-existing', [updCh('alice', [item('a', '9')])]],
    ['update-major-current', [updCh('alice', [item('a', '9')], { majorRevision: 1 })]],
    ['update-major-stale', [updCh('alice', [item('a', '9')], { majorRevision: 3 })]],
    ['set-same-value', [setCh('alice', [item('a', '1')])]],
    ['set-upsert', [setCh('alice', [item('b', '2')])]],
    ['set-all-or-nothing', [setCh('alice', [item('x', '1'), item('a', '9', { revision: 5 })])]],
  ]) {
    s({ id: `storage.cas.${label}`, rule: 'D-ST4', source: 'rule', decidedBy: 'client+server', title: `CAS / write semantics: ${label}`, steps: [...up('alice'), setCh('alice', [item('a', '1')]), ...steps, getCh('alice')] });
  }

  // ------------------------------------------------------------ gets, records, key order (R-ST10, D-ST5)
  for (const [label, steps] of [
    ['empty', []],
    ['empty-stream', [getCh('alice', ROOM, S)]],
    ['ts', [setCh('alice', [item('a', '1')], { addTimeStamp: true }), advance(2), setCh('alice', [item('b', '1')], { addTimeStamp: true })]],
    ['author', [setCh('alice', [item('a', '1')], { addUserId: true }), setCh('alice', [item('b', '1')])]],
    ['ts-not-sticky', [setCh('alice', [item('a', '1')], { addTimeStamp: true, addUserId: true }), setCh('alice', [item('a', '2')])]],
    ['int-keys', [setCh('alice', [item('z', '1'), item('10', '1'), item('b', '1'), item('2', '1'), item('01', '1')])]],
    ['many-writes', [setCh('alice', [item('a', '1')]), setCh('alice', [item('b', '1')]), updCh('alice', [item('a', '2')]), rmCh('alice', { data: [item('b', '')] })]],
    ['types-separate', [setCh('alice', [item('a', '1')], undefined, ROOM, S)]],
    ['unicode', [setCh('alice', [item('k', 'é😀')])]],
  ]) {
    s({ id: `storage.get.${label}`, rule: 'R-ST10', source: 'runtime', decidedBy: 'client+server', title: `getChannelMetadata: ${label}`, steps: [...up('alice'), ...steps, getCh('alice')] });
  }
  s({ id: 'storage.get.other-client', rule: 'D-ST7', source: 'rule', decidedBy: 'client+server', title: 'bob reads what alice wrote (no subscription needed)', actors: AB, steps: [...up('alice'), ...up('bob'), setCh('alice', [item('a', '1')], { addUserId: true }), getCh('bob')] });
  s({ id: 'storage.get.persists-logout', rule: 'D-ST1', source: 'rule', decidedBy: 'client+server', title: 'metadata persists across logout / login', steps: [...up('alice'), setCh('alice', [item('a', '1')]), setU('alice', [item('u', '1')]), call('alice', 'logout'), login('alice'), getCh('alice'), getU('alice')] });

  // ------------------------------------------------------------ user metadata (R-ST8, D-ST10)
  for (const [label, steps] of [
    ['own', [setU('alice', [item('a', '1')]), getU('alice')]],
    ['other', [setU('alice', [item('a', '1')], { userId: 'bob' }), getU('alice', { userId: 'bob' }), getU('alice')]],
    ['empty-userid', [setU('alice', [item('a', '1')], { userId: '' }), getU('alice', { userId: '' }), getU('alice')]],
    ['bad-userid', [setU('alice', [item('a', '1')], { userId: '_x' })]],
    ['bad-userid-dot', [getU('alice', { userId: 'a.b' })]],
    ['bad-userid-number', [getU('alice', { userId: 5 })]],
    ['never-set', [getU('alice', { userId: 'zed' })]],
    ['update-own', [setU('alice', [item('a', '1')]), updU('alice', [item('a', '2')], { addTimeStamp: true, addUserId: true }), getU('alice')]],
    ['remove-own', [setU('alice', [item('a', '1'), item('b', '1')]), rmU('alice', { data: [item('a', '')] }), getU('alice')]],
    ['cas', [setU('alice', [item('a', '1')]), setU('alice', [item('b', '1')], { majorRevision: 0 }), setU('alice', [item('b', '1')], { majorRevision: 1 }), getU('alice')]],
    ['bad-userid-and-bad-items', [setU('alice', [], { userId: '_x' })]],
  ]) {
    s({ id: `storage.user.${label}`, rule: 'R-ST8', source: 'runtime', decidedBy: 'client+server', title: `user metadata: ${label}`, steps: [...up('alice'), ...steps] });
  }

  // ------------------------------------------------------------ subscribeUserMetadata (R-ST13, R-ST14, R-ST16..18)
  for (const [label, steps] of [
    ['snapshot-empty', [subU('alice', 'bob')]],
    ['snapshot-then-update', [setU('bob', [item('a', '1')]), subU('alice', 'bob'), setU('bob', [item('b', '2')]), updU('bob', [item('a', '3')]), rmU('bob', { data: [item('b', '')] })]],
    ['self', [subU('alice', 'alice'), setU('alice', [item('a', '1')])]],
    ['twice', [subU('alice', 'bob'), subU('alice', 'bob'), setU('bob', [item('a', '1')])]],
    ['no-change-silent', [setU('bob', [item('a', '1')]), subU('alice', 'bob'), setU('bob', [item('a', '1')])]],
    ['unsubscribe', [subU('alice', 'bob'), unsubU('alice', 'bob'), setU('bob', [item('a', '1')])]],
    ['unsubscribe-not-subscribed', [unsubU('alice', 'bob')]],
    ['unsubscribe-resubscribe', [subU('alice', 'bob'), setU('bob', [item('a', '1')]), unsubU('alice', 'bob'), subU('alice', 'bob')]],
    ['bad-uid-empty', [subU('alice', '')]],
    ['bad-uid-undefined', [subU('alice', U)]],
    ['bad-uid-underscore', [subU('alice', '_b')]],
    ['unsub-bad-uid', [unsubU('alice', '_b')]],
    ['others-write', [subU('alice', 'bob'), setU('alice', [item('a', '1')], { userId: 'bob' })]],
    ['logout-forgets', [subU('alice', 'bob'), call('alice', 'logout'), login('alice'), setU('bob', [item('a', '1')]), subU('alice', 'bob')]],
    ['down-then-up', [subU('alice', 'bob'), down('alice'), setU('bob', [item('a', '1')]), setU('bob', [item('a', '2')]), upNet('alice'), advance(3)]],
    ['down-no-change', [setU('bob', [item('a', '1')]), subU('alice', 'bob'), down('alice'), upNet('alice'), advance(3)]],
    ['unsubscribe-while-down', [subU('alice', 'bob'), down('alice'), unsubU('alice', 'bob'), upNet('alice'), advance(3)]],
  ]) {
    s({ id: `storage.usersub.${label}`, rule: 'R-ST13', source: 'runtime', decidedBy: 'client+server', title: `subscribeUserMetadata: ${label}`, actors: AB, steps: [...up('alice'), ...up('bob'), ...steps] });
  }
  s({
    id: 'storage.usersub.limit-50',
    rule: 'R-ST13',
    source: 'runtime',
    title: '51st subscribeUserMetadata: -12017',
    steps: [...up('alice'), ...Array.from({ length: 51 }, (_, i) => subU('alice', `u${i}`))],
  });

  // ------------------------------------------------------------ withMetadata channel events (R-ST15..R-ST19, D-ST8)
  for (const [label, steps] of [
    ['snapshot-empty', [sub('bob', ROOM, { withMetadata: true })]],
    ['snapshot-then-updates', [setCh('alice', [item('a', '1')]), sub('bob', ROOM, { withMetadata: true }), sub('alice', ROOM, { withMetadata: true }), setCh('alice', [item('b', '2')], { addTimeStamp: true }), rmCh('carol')]],
    ['without-metadata', [sub('bob', ROOM), setCh('alice', [item('a', '1')])]],
    ['turn-off', [sub('bob', ROOM, { withMetadata: true }), sub('bob', ROOM, { withMetadata: false }), setCh('alice', [item('a', '1')])]],
    ['turn-on-later', [sub('bob', ROOM), setCh('alice', [item('a', '1')]), sub('bob', ROOM, { withMetadata: true }), setCh('alice', [item('a', '2')])]],
    ['unsubscribe', [sub('bob', ROOM, { withMetadata: true }), call('bob', 'unsubscribe', ROOM), setCh('alice', [item('a', '1')])]],
    ['resubscribe-snapshot', [sub('bob', ROOM, { withMetadata: true }), setCh('alice', [item('a', '1')]), call('bob', 'unsubscribe', ROOM), sub('bob', ROOM, { withMetadata: true })]],
    ['stream-not-message', [sub('bob', ROOM, { withMetadata: true }), setCh('alice', [item('a', '1')], undefined, ROOM, S)]],
    ['stream-join', [join('bob', ROOM, { withMetadata: true }), setCh('alice', [item('a', '1')], undefined, ROOM, S), setCh('alice', [item('m', '1')])]],
    ['cas-conflict-no-event', [sub('bob', ROOM, { withMetadata: true }), setCh('alice', [item('a', '1')], { majorRevision: 4 })]],
    ['reconnect-latest', [sub('bob', ROOM, { withMetadata: true }), down('bob'), setCh('alice', [item('a', '1')]), setCh('alice', [item('a', '2')]), upNet('bob'), advance(3)]],
    ['reconnect-no-change', [setCh('alice', [item('a', '1')]), sub('bob', ROOM, { withMetadata: true }), down('bob'), upNet('bob'), advance(3)]],
    ['logout-login', [sub('bob', ROOM, { withMetadata: true }), call('bob', 'logout'), login('bob'), setCh('alice', [item('a', '1')]), sub('bob', ROOM, { withMetadata: true })]],
    ['three-subscribers', [sub('carol', ROOM, { withMetadata: true }), sub('bob', ROOM, { withMetadata: true }), sub('alice', ROOM, { withMetadata: true }), setCh('carol', [item('a', '1')])]],
  ]) {
    s({ id: `storage.events.${label}`, rule: 'R-ST16', source: 'runtime', decidedBy: 'client+server', title: `storage events: ${label}`, actors: ABC, steps: [...up('alice'), ...up('bob'), ...up('carol'), ...steps] });
  }

  // ------------------------------------------------------------ server reply codes (R-ST11), timeout (R-ST12)
  for (const code of [1, 3, 6, 14, 100, 42]) {
    s({
      id: `storage.fault.code-${code}`,
      rule: 'R-ST11',
      source: 'runtime',
      title: `every storage reply carries code ${code}`,
      decidedBy: 'client+server',
      server: { storageReplyCode: code },
      steps: [...up('alice'), setCh('alice', [item('a', '1')]), getCh('alice'), setU('alice', [item('a', '1')]), getU('alice'), subU('alice', 'bob'), sub('alice', 'x', { withMetadata: true })],
    });
  }

  // ------------------------------------------------------------ rate limits (R-ST2)
  const rate = (label, steps, rule = 'R-ST2') => s({ id: `storage.rate.${label}`, rule, source: 'runtime', decidedBy: 'client+server', title: `storage rate limit: ${label}`, server: { rateLimits: true }, steps: [...up('alice'), ...steps] });
  rate('channelMetaModify', Array.from({ length: 21 }, (_, i) => setCh('alice', [item(`k${i}`, '1')])));
  rate('channelMetaModify-shared', [...Array.from({ length: 10 }, (_, i) => setCh('alice', [item(`k${i}`, '1')])), ...Array.from({ length: 10 }, () => updCh('alice', [item('k0', '2')])), rmCh('alice')]);
  rate('channelMetaModify-bad-count', [...Array.from({ length: 20 }, () => setCh('alice', [])), setCh('alice', [item('a', '1')])]);
  rate('channelMetaModify-before-type', [...Array.from({ length: 20 }, () => setCh('alice', [item('a', '1')], undefined, ROOM, 'USER')), setCh('alice', [item('a', '1')], undefined, ROOM, 'USER')]);
  rate('channelMetaGet', Array.from({ length: 21 }, () => getCh('alice')));
  rate('userMetaModify', [...Array.from({ length: 20 }, (_, i) => setU('alice', [item(`k${i}`, '1')])), rmU('alice'), getU('alice')]);
  rate('userMetaGet', Array.from({ length: 21 }, () => getU('alice')));
  rate('userMetaSub', [...Array.from({ length: 21 }, (_, i) => subU('alice', `u${i}`)), unsubU('alice', 'u0')]);
  rate('after-a-second', [...Array.from({ length: 20 }, () => getCh('alice')), advance(1.1), getCh('alice')]);
  void inRoom;
}
