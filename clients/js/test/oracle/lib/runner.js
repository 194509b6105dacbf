// Runs one case of the table on one target (the real SDK or the emulator) and returns its
// outcome: every call's result and every actor's presence / linkState events, each tagged
// with the index of the step during which it happened.
//
// A target implements:
//   beginCase(case)                       fresh service, time at the case's start, parameters
//   newClient(actor, onEvent, kinds)      construct an RTM client (may throw); listen to `kinds`
//   missingFeatures(case)                 (optional) the calls of a messaging or issue-17 case
//                                         the client lacks: the case is then not run ({unsupported})
//   invoke(client, call, args)            start an SDK call; returns a value or a Promise
//   net(client, "down" | "up")            network loss / back
//   advance(seconds)                      move the case's time forward
//   settle(promise?)                      let the work a step started finish (no time passes
//                                         that a case could observe)
//   endCase()

import { canon, decode } from './values.js';

export const APP_ID = '0123456789abcdef0123456789abcdef';

/**
 * Fields left out of every comparison, each with its reason. Keys are "what.field".
 */
export const EXCLUDED_FIELDS = {
  'presence.timestamp':
    'event time: the SDK stamps Date.now() plus its server offset, the emulator its own clock (R-T1); both are clocks, not behaviour',
  'linkState.timestamp': 'event time, as for presence events',
};

/**
 * Fields left out in the messaging cases (`messaging: true`), which also record `message` and
 * `topic` events. Kept apart from EXCLUDED_FIELDS so that docs/fidelity.md lists them only
 * once messaging cases are compared.
 */
export const MESSAGING_EXCLUDED_FIELDS = {
  'message.timestamp': 'delivery time: the SDK stamps Date.now() plus its server offset, the emulator its clock at delivery (R-M24); both are clocks',
  'topic.timestamp': 'event time, as for message events',
};

/** The events every case records; a messaging case records MESSAGING_EVENTS too. */
export const BASE_EVENTS = ['presence', 'linkState'];
export const MESSAGING_EVENTS = ['message', 'topic'];

/** The messaging calls (issue 16): their results also record their key order (`shape`). */
export const MESSAGING_CALLS = [
  'publish',
  'history.getMessages',
  'stream.joinTopic',
  'stream.leaveTopic',
  'stream.subscribeTopic',
  'stream.unsubscribeTopic',
  'stream.publishTopicMessage',
  'stream.getSubscribedUserList',
];

/**
 * Issue 17 (storage, locks, tokens): a case with `family: "storage" | "lock" | "token"` also
 * records these events (timestamp excluded, key order kept as `shape`; the argument of
 * `tokenPrivilegeWillExpire` is a plain string) and the key order of every family call's
 * result. Family calls: `storage.<method>` (rtm.storage), `lock.<method>` (rtm.lock),
 * `renewToken` (rtm.renewToken).
 */
export const FAMILY_EVENTS = ['storage', 'lock', 'token', 'tokenPrivilegeWillExpire'];
export const FAMILY_EXCLUDED_FIELDS = {
  'storage.timestamp': "event time: the receiver's clock (runtime, R-ST16); both are clocks",
  'lock.timestamp': "event time: the receiver's clock (runtime, R-LK15)",
  'token.timestamp': "event time: the receiver's clock (runtime, R-TK10)",
};
export const isFamilyCall = (call) => typeof call === 'string' && (call.startsWith('storage.') || call.startsWith('lock.') || call === 'renewToken');

const isBytes = (v) => ArrayBuffer.isView(v) || v instanceof ArrayBuffer;

/**
 * The key order of a value, nested: `{a,b:[{c,d}],e}` (an array shows its first element; bytes
 * and scalars show nothing). The comparison itself sorts keys (canon), so this is how the
 * SDK's key order of message / topic events and messaging results is checked.
 */
export function shapeOf(value, depth = 0) {
  if (depth > 10 || value === null || typeof value !== 'object' || isBytes(value)) return '';
  if (Array.isArray(value)) return `[${value.length ? shapeOf(value[0], depth + 1) : ''}]`;
  const parts = Object.keys(value).map((k) => {
    const inner = shapeOf(value[k], depth + 1);
    return inner ? `${k}:${inner}` : k;
  });
  return `{${parts.join(',')}}`;
}

/** An error or exception as an outcome. */
export function errorOutcome(err, sync) {
  const where = sync ? 'throws' : 'rejects';
  if (err && typeof err === 'object' && 'errorCode' in err) {
    const info = {
      errorCode: err.errorCode,
      operation: err.operation,
      reason: err.reason,
      name: err.name,
    };
    if (err.serverCode !== undefined && err.serverCode !== null) info.serverCode = err.serverCode;
    return { [where]: canon(info) };
  }
  const kind =
    err && typeof err === 'object'
      ? err.constructor?.name === 'DOMException'
        ? err.name
        : (err.constructor?.name ?? 'Object')
      : typeof err;
  return { [where]: { exception: { kind, message: err?.message ?? String(err) } } };
}

function valueOutcome(value, call) {
  if (value && typeof value === 'object' && typeof value.join === 'function' && typeof value.leave === 'function') {
    return { ok: { $: 'streamChannel' } };
  }
  if ((MESSAGING_CALLS.includes(call) || isFamilyCall(call)) && value && typeof value === 'object') return { ok: canon(value), shape: shapeOf(value) };
  return { ok: canon(value) };
}

function eventRecord(kind, event) {
  if (event === null || typeof event !== 'object') return { kind, event: canon(event) };
  const copy = { ...event };
  delete copy.timestamp;
  if (MESSAGING_EVENTS.includes(kind) || FAMILY_EVENTS.includes(kind)) return { kind, event: canon(copy), shape: shapeOf(event) };
  return { kind, event: canon(copy) };
}

/** Run `c` on `target`; returns {calls, events}. */
export async function runCase(target, c) {
  const actors = c.actors;
  const record = { calls: [], events: {} };
  for (const name of Object.keys(actors)) record.events[name] = [];
  let stepIndex = -1;
  let recording = true;
  const clients = new Map();
  const missing = (c.messaging || c.family) && target.missingFeatures ? target.missingFeatures(c) : [];
  if (missing.length) return { unsupported: `the client lacks ${missing.join(', ')}` };
  const kinds = c.messaging ? [...BASE_EVENTS, ...MESSAGING_EVENTS] : c.family ? [...BASE_EVENTS, ...FAMILY_EVENTS] : BASE_EVENTS;
  await target.beginCase(c);
  for (const [i, step] of c.steps.entries()) {
    stepIndex = i;
    if (step.advance !== undefined) {
      await target.advance(step.advance);
      continue;
    }
    const who = step.who;
    if (step.net) {
      await target.net(clients.get(who), step.net, actors[who]);
      await target.settle();
      continue;
    }
    const entry = { step: i, who, call: step.call };
    record.calls.push(entry);
    if (step.call === 'new') {
      const raw = actors[who];
      const actor = { ...raw, uid: decode(raw.uid) };
      if ('appId' in raw) actor.appId = decode(raw.appId);
      if ('config' in raw) actor.config = decode(raw.config);
      const onEvent = (kind, event) => {
        if (recording) record.events[who].push({ step: stepIndex, ...eventRecord(kind, event) });
      };
      try {
        clients.set(who, target.newClient(actor, onEvent, kinds));
        entry.outcome = { ok: { $: 'client' } };
      } catch (err) {
        entry.outcome = errorOutcome(err, true);
      }
      await target.settle();
      continue;
    }
    if (!(who in actors)) throw new Error(`case ${c.id}: step ${i}: unknown actor ${who}`);
    const client = clients.get(who);
    if (!client) {
      entry.outcome = { skipped: 'the client was not constructed' };
      continue;
    }
    let promise;
    try {
      promise = target.invoke(client, step.call, decode(step.args ?? []));
    } catch (err) {
      entry.outcome = errorOutcome(err, true);
      await target.settle();
      continue;
    }
    if (!promise || typeof promise.then !== 'function') {
      entry.outcome = valueOutcome(promise, step.call);
      await target.settle();
      continue;
    }
    promise.then(
      (value) => {
        entry.outcome = valueOutcome(value, step.call);
        if (stepIndex !== i) entry.settledAt = stepIndex;
      },
      (err) => {
        entry.outcome = errorOutcome(err, false);
        if (stepIndex !== i) entry.settledAt = stepIndex;
      },
    );
    if (!step.nowait) await target.settle(promise);
  }
  await target.settle();
  recording = false;
  for (const entry of record.calls) if (!entry.outcome) entry.outcome = { pending: true };
  await target.endCase();
  return record;
}

/** The client call a step names, on an SDK-shaped client (real SDK or emulator client). */
export function invokeOn(rtm, streams, call, args) {
  switch (call) {
    case 'login':
      return rtm.login(...args);
    case 'logout':
      return rtm.logout(...args);
    case 'subscribe':
      return rtm.subscribe(...args);
    case 'unsubscribe':
      return rtm.unsubscribe(...args);
    case 'createStreamChannel': {
      const stream = rtm.createStreamChannel(...args);
      streams.set(args[0], stream);
      return stream;
    }
    case 'stream.join':
    case 'stream.leave': {
      const [name, ...rest] = args;
      let stream = streams.get(name);
      if (!stream) {
        stream = rtm.createStreamChannel(name);
        streams.set(name, stream);
      }
      return call === 'stream.join' ? stream.join(...rest) : stream.leave(...rest);
    }
    case 'publish':
      return rtm.publish(...args);
    case 'history.getMessages':
      return rtm.history.getMessages(...args);
    case 'stream.joinTopic':
    case 'stream.leaveTopic':
    case 'stream.subscribeTopic':
    case 'stream.unsubscribeTopic':
    case 'stream.publishTopicMessage':
    case 'stream.getSubscribedUserList': {
      const [name, ...rest] = args;
      let stream = streams.get(name);
      if (!stream) {
        stream = rtm.createStreamChannel(name);
        streams.set(name, stream);
      }
      return stream[call.slice('stream.'.length)](...rest);
    }
    case 'renewToken':
      return rtm.renewToken(...args);
    default:
      if (call.startsWith('storage.')) return rtm.storage[call.slice('storage.'.length)](...args);
      if (call.startsWith('lock.')) return rtm.lock[call.slice('lock.'.length)](...args);
      if (call.startsWith('presence.')) {
        const method = call.slice('presence.'.length);
        return rtm.presence[method](...args);
      }
      throw new Error(`unknown call ${call}`);
  }
}

/** The storage and lock switches every case starts from (both legs), so none leaks into the next case. */
export const FAMILY_PARAMS = {
  STORAGE_ENABLED: true,
  STORAGE_CHANNEL_SUB_ENABLED: true,
  STORAGE_USER_SUB_ENABLED: true,
  LOCK_ENABLED: true,
};
