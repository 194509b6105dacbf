// Several JS clients on one server: state, interval mode, network loss by closing a
// socket (R-T2), retries and reconnects (R-T3, R-T4), kicks, stream channels' own link,
// debounce, faults, and cross-socket ordering.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import AgoraRTM, { EmulatorControl } from '../index.js';
import { client, recorded, rejects, useServer } from './helpers.js';

let server;
let control;
useServer((started) => {
  server = started;
  control = started.control;
});

/** alice and bob, logged in and subscribed to `room`, records cleared. */
async function pair(bobConfig = {}) {
  const alice = await recorded(server, 'alice');
  const bob = await recorded(server, 'bob', bobConfig);
  await alice.rtm.subscribe('room');
  await bob.rtm.subscribe('room');
  alice.events.take();
  bob.events.take();
  alice.events.links.splice(0);
  bob.events.links.splice(0);
  return { alice, bob };
}

/**
 * R-T4: the MESSAGE link of a client whose network went down at second 0 and stays
 * down, up to second `until`: [second, previous, current, operation, reasonCode]. The
 * first retry starts 2 s after the loss, the next 4, 8, 16, 32, 32 s after each failed
 * attempt, then 30 s; an attempt fails after 5 s; the first failure arms a 115 s timer,
 * and the failures after it go to SUSPENDED.
 */
function retryTimeline(until) {
  const out = [[0, 'CONNECTED', 'DISCONNECTED', 'HEARTBEAT_TIMEOUT', 'KEEP_ALIVE_TIMEOUT']];
  const backoff = [2, 4, 8, 16, 32, 32];
  let t = 0;
  let state = 'DISCONNECTED';
  let suspendAt = null;
  for (let attempt = 0; ; attempt += 1) {
    t += attempt < backoff.length ? backoff[attempt] : 30;
    if (t > until) break;
    out.push([t, state, 'CONNECTING', 'AUTO_RECONNECT', 'AUTO_RECONNECT']);
    t += 5;
    if (t > until) break;
    if (suspendAt !== null && t >= suspendAt) {
      out.push([t, 'CONNECTING', 'SUSPENDED', 'AUTO_RECONNECT', 'RECONNECT_TIMEOUT']);
      state = 'SUSPENDED';
    } else {
      out.push([t, 'CONNECTING', 'DISCONNECTED', 'SERVER_TIMEOUT', 'RECONNECT_TIMEOUT']);
      state = 'DISCONNECTED';
    }
    suspendAt ??= t + 115;
  }
  return out;
}

/** The MESSAGE link events of `events` as retryTimeline rows, seconds from `startMs`. */
function linkRows(links, startMs) {
  return links
    .filter((e) => e.serviceType === 'MESSAGE')
    .map((e) => [(e.timestamp - startMs) / 1000, e.previousState, e.currentState, e.operation, e.reasonCode]);
}

describe('delivery order across sockets', () => {
  it("another client's events have arrived when a call resolves (R-E9)", async () => {
    const alice = await recorded(server, 'alice');
    await alice.rtm.subscribe('room');
    for (let i = 0; i < 25; i += 1) {
      const other = client(server, `u${String(i).padStart(2, '0')}`);
      await other.login();
      await other.subscribe('room');
      // no waiting: the REMOTE_JOIN is already in alice's listener
      assert.deepEqual(alice.events.presence.at(-1).publisher, `u${String(i).padStart(2, '0')}`);
      await other.presence.setState('room', 'MESSAGE', { i: String(i) });
      assert.deepEqual(alice.events.presence.at(-1).stateChanged, { i: String(i) });
    }
  });

  it('a control call resolves after the events it caused were delivered (R-E6 debounce)', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.unsubscribe('room');
    assert.deepEqual(alice.events.takeTypes(), []); // debounced (R-E6)
    await control.advance(2);
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_LEAVE', 'bob']]);
  });
});

describe('state', () => {
  it('set / get / remove, with REMOTE_STATE_CHANGED carrying the full state (R-S2, R-S5, R-Q2)', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.presence.setState('room', 'MESSAGE', { mood: 'pumped', seat: '3' });
    await bob.rtm.presence.setState('room', 'MESSAGE', { seat: '4' });
    const got = await alice.rtm.presence.getState('bob', 'room', 'MESSAGE');
    assert.deepEqual(got, { timestamp: 0, userId: 'bob', states: { mood: 'pumped', seat: '4' }, statesCount: 2 });
    const who = await alice.rtm.presence.getOnlineUsers('room', 'MESSAGE', { includedState: true });
    assert.deepEqual(who, {
      timestamp: 0,
      totalOccupancy: 2,
      occupants: [
        { userId: 'alice', states: {}, statesCount: 0 },
        { userId: 'bob', states: { mood: 'pumped', seat: '4' }, statesCount: 2 },
      ],
      nextPage: '',
    });
    await bob.rtm.presence.removeState('room', 'MESSAGE', { states: ['mood'] });
    await bob.rtm.presence.removeState('room', 'MESSAGE', { states: ['absent'] }); // R-S5: nothing
    await bob.rtm.presence.removeState('room', 'MESSAGE');
    assert.deepEqual(
      alice.events.take().map((e) => [e.eventType, e.publisher, e.stateChanged]),
      [
        ['REMOTE_STATE_CHANGED', 'bob', { mood: 'pumped', seat: '3' }],
        ['REMOTE_STATE_CHANGED', 'bob', { mood: 'pumped', seat: '4' }],
        ['REMOTE_STATE_CHANGED', 'bob', { seat: '4' }],
        ['REMOTE_STATE_CHANGED', 'bob', {}],
      ],
    );
    assert.deepEqual(bob.events.take(), []); // nobody hears about itself
    assert.deepEqual(await control.stateOf('bob', 'room', 'MESSAGE'), {});
  });

  it('R-Q6: getState of a user without a document: -13011 in the channel, {} from outside', async () => {
    const { alice } = await pair();
    await rejects(alice.rtm.presence.getState('carol', 'room', 'MESSAGE'), 'presenceGetState', -13011);
    const outsider = await recorded(server, 'dave');
    assert.deepEqual(await outsider.rtm.presence.getState('carol', 'room', 'MESSAGE'), {
      timestamp: 0,
      userId: 'carol',
      states: {},
      statesCount: 0,
    });
  });

  it('R-S4: state set before subscribing is cached and announced on entry', async () => {
    const alice = await recorded(server, 'alice');
    await alice.rtm.subscribe('room');
    const carol = await recorded(server, 'carol');
    await carol.rtm.presence.setState('room', 'MESSAGE', { seat: '7' });
    assert.deepEqual(alice.events.takeTypes(), [['SNAPSHOT', '']]);
    await carol.rtm.subscribe('room');
    assert.deepEqual(
      alice.events.take().map((e) => [e.eventType, e.publisher, e.stateChanged]),
      [
        ['REMOTE_JOIN', 'carol', {}],
        ['REMOTE_STATE_CHANGED', 'carol', { seat: '7' }],
      ],
    );
    const [snapshot] = carol.events.take();
    assert.deepEqual(snapshot.snapshot, [
      { userId: 'alice', states: {}, statesCount: 0 },
      { userId: 'carol', states: { seat: '7' }, statesCount: 1 },
    ]);
    assert.deepEqual(snapshot.interval, null);
  });
});

describe('interval mode (R-E5)', () => {
  it('at the threshold the client aggregates per period, and leaves interval mode below it', async () => {
    await control.reset({ announceMax: 8, interval: 10 });
    const watcher = await recorded(server, 'watcher');
    await watcher.rtm.subscribe('lobby');
    const others = [];
    for (let i = 1; i <= 9; i += 1) {
      const other = client(server, `u${i}`);
      await other.login();
      await other.subscribe('lobby');
      others.push(other);
    }
    // watcher + u1..u7 = 8 >= 8: u7's join tips it and is still announced
    assert.deepEqual(watcher.events.takeTypes(), [
      ['SNAPSHOT', ''],
      ...[1, 2, 3, 4, 5, 6, 7].map((i) => ['REMOTE_JOIN', `u${i}`]),
    ]);
    await others[0].presence.setState('lobby', 'MESSAGE', { seat: '1' });
    await others[8].unsubscribe('lobby'); // u9 joined and leaves in the same period: in neither list
    await control.advance(9.999);
    assert.deepEqual(watcher.events.take(), []);
    await control.advance(0.001);
    const [event, ...rest] = watcher.events.take();
    assert.deepEqual(rest, []);
    assert.deepEqual(event, {
      eventType: 'INTERVAL',
      channelType: 'MESSAGE',
      channelName: 'lobby',
      publisher: '',
      stateChanged: {},
      interval: {
        join: { users: ['u8'], userCount: 1 },
        leave: { users: [], userCount: 0 },
        timeout: { users: [], userCount: 0 },
        userStateList: [{ userId: 'u1', states: { seat: '1' }, statesCount: 1 }],
        totalOccupancy: 9,
      },
      snapshot: [],
      timestamp: await control.now(),
    });
    // two leave: the second brings the occupancy to 7 < 8, a final INTERVAL at once
    await others[7].unsubscribe('lobby');
    await others[6].unsubscribe('lobby');
    await control.advance(2);
    const [back, ...after] = watcher.events.take();
    assert.deepEqual(after, []);
    assert.equal(back.eventType, 'INTERVAL');
    assert.deepEqual(
      { ...back.interval.leave, users: [...back.interval.leave.users].sort() },
      { users: ['u7', 'u8'], userCount: 2 },
    );
    assert.equal(back.interval.totalOccupancy, 7);
    assert.equal(back.timestamp, await control.now());
    await others[0].presence.setState('lobby', 'MESSAGE', { seat: '2' });
    assert.deepEqual(
      watcher.events.take().map((e) => [e.eventType, e.publisher, e.stateChanged]),
      [['REMOTE_STATE_CHANGED', 'u1', { seat: '2' }]],
    );
  });
});

describe('network loss by closing the socket (R-T2, R-T3, R-T4)', () => {
  it('the others get REMOTE_TIMEOUT once the clock passes heartbeat + 10 s + presenceTimeout', async () => {
    const { alice } = await pair();
    const bob = (await recorded(server, 'bob2', { presenceTimeout: 20 })).rtm;
    await bob.subscribe('room');
    alice.events.take();
    await bob.emulator.dropConnection();
    assert.equal(bob.emulator.socketOpen, false);
    await control.advance(34.999); // 5 s heartbeat + 10 s + 20 s presenceTimeout
    assert.deepEqual(alice.events.take(), []);
    await control.advance(0.001);
    const [timeout, ...rest] = alice.events.take();
    assert.deepEqual(rest, []);
    assert.deepEqual([timeout.eventType, timeout.publisher], ['REMOTE_TIMEOUT', 'bob2']);
    assert.equal(timeout.timestamp, await control.now());
    assert.deepEqual(await control.onlineUsers('room', 'MESSAGE'), ['alice', 'bob']);
  });

  it('with the default config the timeout comes after 315 s', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.emulator.dropConnection();
    await control.advance(314.999);
    assert.deepEqual(alice.events.takeTypes(), []);
    await control.advance(0.001);
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_TIMEOUT', 'bob']]);
  });

  it('R-T3: while down, whoNow is -10025 but state calls and unsubscribe work locally', async () => {
    const { bob } = await pair();
    const session = bob.rtm.emulator.session;
    await bob.rtm.emulator.dropConnection();
    await rejects(bob.rtm.presence.whoNow('room', 'MESSAGE'), 'whoNow', -10025);
    assert.equal(bob.rtm.emulator.session, session);
    assert.equal(bob.rtm.emulator.socketOpen, true);
    // the link-state event of the loss was kept for the client and delivered on resume
    const [loss] = bob.events.links.splice(0);
    assert.deepEqual(
      [loss.previousState, loss.currentState, loss.operation, loss.reasonCode, loss.affectedChannels],
      ['CONNECTED', 'DISCONNECTED', 'HEARTBEAT_TIMEOUT', 'KEEP_ALIVE_TIMEOUT', ['room']],
    );
    assert.deepEqual(await bob.rtm.presence.setState('room', 'MESSAGE', { seat: '9' }), { timestamp: 0 });
    const own = await bob.rtm.presence.getState('bob', 'room', 'MESSAGE');
    assert.deepEqual(own.states, { seat: '9' });
    await rejects(bob.rtm.presence.getState('alice', 'room', 'MESSAGE'), 'presenceGetState', -10025);
  });

  it('R-T4: every retry is a CONNECTING / DISCONNECTED pair; back before the timeout, the next retry reconnects (resumed)', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.presence.setState('room', 'MESSAGE', { seat: '1' });
    alice.events.take();
    const start = await control.now();
    await bob.rtm.emulator.dropConnection();
    await control.advance(100);
    await bob.rtm.emulator.restoreConnection();
    assert.deepEqual(linkRows(bob.events.links, start), retryTimeline(100));
    bob.events.links.splice(0);
    await control.advance(18.999); // the next retry is at 119 s
    assert.deepEqual(bob.events.links, []);
    await control.advance(0.001);
    const links = bob.events.links.splice(0).filter((e) => e.serviceType === 'MESSAGE');
    assert.deepEqual(
      links.map((e) => [e.previousState, e.currentState, e.operation, e.reasonCode]),
      [
        ['DISCONNECTED', 'CONNECTING', 'AUTO_RECONNECT', 'AUTO_RECONNECT'],
        ['CONNECTING', 'CONNECTED', 'AUTO_RECONNECT', 'RECONNECT_SUCCESS'],
      ],
    );
    assert.equal(links[1].isResumed, true); // before the 115 s timer fired (R-T4)
    assert.deepEqual(links[1].affectedChannels, ['room']);
    assert.ok(links.every((e) => e.unrestoredChannels.length === 0));
    assert.deepEqual(alice.events.take(), []);
    // the SDK keeps its replica through the loss: no new SNAPSHOT, nothing changed (R-T3)
    assert.deepEqual(bob.events.take(), []);
  });

  it('back after the timeout: SUSPENDED before, not resumed after; the client re-enters with its state', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.presence.setState('room', 'MESSAGE', { seat: '1' });
    alice.events.take();
    const start = await control.now();
    await bob.rtm.emulator.dropConnection();
    await control.advance(315);
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_TIMEOUT', 'bob']]);
    await bob.rtm.emulator.restoreConnection();
    await control.advance(14); // the retry after the one at 294 s: 299 + 30
    assert.deepEqual(linkRows(bob.events.links, start), [
      ...retryTimeline(315),
      [329, 'SUSPENDED', 'CONNECTING', 'AUTO_RECONNECT', 'AUTO_RECONNECT'],
      [329, 'CONNECTING', 'CONNECTED', 'AUTO_RECONNECT', 'RECONNECT_SUCCESS'],
    ]);
    assert.equal(bob.events.links.at(-1).isResumed, false);
    assert.deepEqual(
      alice.events.take().map((e) => [e.eventType, e.publisher, e.stateChanged]),
      [
        ['REMOTE_JOIN', 'bob', {}],
        ['REMOTE_STATE_CHANGED', 'bob', { seat: '1' }],
      ],
    );
    // the replica catches up by events, not a new SNAPSHOT; alice never left (R-T3)
    assert.deepEqual(bob.events.takeTypes(), []);
  });

  it('control.disconnect keeps the socket: link events arrive live; a subscribe while down is queued (R-T3)', async () => {
    const { alice, bob } = await pair();
    await control.disconnect('bob');
    assert.deepEqual(bob.events.takeLinks(), [['CONNECTED', 'DISCONNECTED']]);
    // no heartbeatInterval (5 s) has passed since login: not cacheable
    await rejects(bob.rtm.subscribe('other'), 'subscribe', -10025);
    await control.advance(10);
    assert.deepEqual(await bob.rtm.subscribe('other2'), { timestamp: 0, channelName: 'other2' });
    await control.advance(114); // 124 s: the failed attempt after the 115 s timer
    assert.deepEqual(bob.events.links.at(-1).currentState, 'SUSPENDED');
    bob.events.links.splice(0);
    await control.reconnect('bob');
    await control.advance(30); // next retry at 154 s
    assert.deepEqual(bob.events.takeLinks(), [
      ['SUSPENDED', 'CONNECTING'],
      ['CONNECTING', 'CONNECTED'],
    ]);
    assert.deepEqual(alice.events.take(), []);
    // the queued subscribe gets its SNAPSHOT; 'room' keeps its replica (R-T3)
    const snapshots = bob.events.take().map((e) => [e.eventType, e.channelName]);
    assert.deepEqual(snapshots, [['SNAPSHOT', 'other2']]);
    assert.deepEqual(await control.userChannels('bob'), [
      { channelType: 'MESSAGE', channelName: 'other2' },
      { channelType: 'MESSAGE', channelName: 'room' },
    ]);
  });
});

describe('lifecycle', () => {
  it('logout closes the socket; others see a debounced REMOTE_LEAVE; login again works (R-L2)', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.logout();
    assert.equal(bob.rtm.emulator.socketOpen, false);
    assert.equal(bob.rtm.emulator.session, null);
    const [out] = bob.events.links.splice(0);
    assert.deepEqual(
      [out.previousState, out.currentState, out.operation, out.reasonCode, out.affectedChannels],
      ['CONNECTED', 'IDLE', 'LOGOUT', 'LOGOUT', ['room']],
    );
    await control.advance(2);
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_LEAVE', 'bob']]);
    await rejects(bob.rtm.subscribe('room'), 'subscribe', -10025);
    await bob.rtm.login();
    await bob.rtm.subscribe('room');
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_JOIN', 'bob']]);
  });

  it('R-T4: a second login of the same user id kicks the first client (FAILED / SAME_UID_LOGIN); it keeps its state', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.presence.setState('room', 'MESSAGE', { k: 'v' });
    alice.events.take();
    const bobAgain = await recorded(server, 'bob'); // IGNORE_DUPLICATE_USER_ID_ERR is set by the suite
    const [kick] = bob.events.links.splice(0);
    assert.deepEqual(
      [kick.previousState, kick.currentState, kick.operation, kick.reasonCode, kick.affectedChannels],
      ['CONNECTED', 'FAILED', 'SERVER_REJECT', 'SAME_UID_LOGIN', ['room']],
    );
    assert.equal(kick.reason, 'The same uid login on another device');
    assert.deepEqual(bobAgain.events.takeLinks(), [
      ['IDLE', 'CONNECTING'],
      ['CONNECTING', 'CONNECTED'],
    ]);
    await control.advance(2);
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_LEAVE', 'bob']]);
    await rejects(bob.rtm.presence.whereNow(''), 'whereNow', -10025);
    const own = await bob.rtm.presence.getState('bob', 'room', 'MESSAGE');
    assert.deepEqual(own.states, { k: 'v' });
  });

  it('stream channels: their own link (serviceType STREAM), quiet users, handles that outlive logout (R-L1, R-L2)', async () => {
    const alice = await recorded(server, 'alice');
    const bob = await recorded(server, 'bob');
    alice.events.links.splice(0);
    const aliceStage = alice.rtm.createStreamChannel('stage');
    assert.equal(alice.rtm.createStreamChannel('stage'), aliceStage);
    assert.deepEqual(await aliceStage.join(), { timestamp: 0 });
    assert.deepEqual(
      alice.events.links
        .splice(0)
        .map((e) => [e.serviceType, e.previousState, e.currentState, e.operation, e.reasonCode, e.affectedChannels]),
      [
        ['STREAM', 'IDLE', 'CONNECTING', 'JOIN', 'JOIN', ['stage']],
        ['STREAM', 'CONNECTING', 'CONNECTED', 'JOIN', 'JOIN_SUCCESS', ['stage']],
      ],
    );
    const bobStage = bob.rtm.createStreamChannel('stage');
    await bobStage.join({ withPresence: true, beQuiet: true });
    assert.deepEqual(alice.events.takeTypes(), [['SNAPSHOT', '']]); // quiet: no REMOTE_JOIN (R-E4)
    await bobStage.join({ beQuiet: false });
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_JOIN', 'bob']]); // quiet -> visible (R-L1)
    bob.events.links.splice(0);
    await bobStage.leave();
    assert.deepEqual(
      bob.events.links.map((e) => [e.serviceType, e.previousState, e.currentState, e.operation, e.reasonCode]),
      [['STREAM', 'CONNECTED', 'IDLE', 'LEAVE', 'LEAVE']],
    );
    await rejects(bobStage.leave(), 'leave', -11001);
    await alice.rtm.logout();
    await alice.rtm.login();
    await aliceStage.join();
    assert.deepEqual(await control.userChannels('alice'), [{ channelType: 'STREAM', channelName: 'stage' }]);
  });

  it('R-C5: removeEventListener stops a listener; other event names are accepted and never fire', async () => {
    const rtm = client(server, 'alice');
    const seen = [];
    const listener = (e) => seen.push(e.eventType);
    rtm.addEventListener('presence', listener);
    rtm.addEventListener('message', () => seen.push('message'));
    rtm.addEventListener('presense', () => seen.push('typo'));
    rtm.on('presence', () => seen.push('on')); // the client object's own emitter, as in the SDK
    await rtm.login();
    await rtm.subscribe('a');
    rtm.removeEventListener('presence', listener);
    await rtm.subscribe('b');
    assert.deepEqual(seen, ['SNAPSHOT']);
    assert.throws(() => rtm.addEventListener('presence', 'nope'), TypeError);
  });
});

describe('faults and inspection', () => {
  it('R-E8: during a presence outage no events flow; after 60 s listeners fall back to a SNAPSHOT without states', async () => {
    const alice = await recorded(server, 'alice');
    await alice.rtm.subscribe('room');
    await alice.rtm.presence.setState('room', 'MESSAGE', { a: '1' });
    alice.events.take();
    await control.setPresenceAvailable('room', 'MESSAGE', false);
    const bob = await recorded(server, 'bob');
    await bob.rtm.subscribe('room');
    assert.deepEqual(bob.events.take(), []); // never ERROR_OUT_OF_SERVICE
    assert.deepEqual(alice.events.take(), []);
    assert.deepEqual(await control.onlineUsers('room', 'MESSAGE'), ['alice', 'bob']);
    await control.advance(59.999);
    assert.deepEqual([...alice.events.take(), ...bob.events.take()], []);
    await control.advance(0.001);
    for (const rec of [alice, bob]) {
      const [snapshot, ...rest] = rec.events.take();
      assert.deepEqual(rest, []);
      assert.equal(snapshot.eventType, 'SNAPSHOT');
      assert.deepEqual(snapshot.snapshot, [
        { userId: 'alice', states: {}, statesCount: 0 },
        { userId: 'bob', states: {}, statesCount: 0 },
      ]);
    }
    await control.setPresenceAvailable('room', 'MESSAGE', true);
    const [fresh] = alice.events.take();
    assert.equal(fresh.eventType, 'SNAPSHOT');
    assert.deepEqual(
      fresh.snapshot.map((u) => [u.userId, u.states]),
      [
        ['alice', { a: '1' }],
        ['bob', {}],
      ],
    );
  });

  it('delivery latency: events arrive when the clock passes the delay, with their send time', async () => {
    const alice = await recorded(server, 'alice');
    await alice.rtm.subscribe('room');
    alice.events.take();
    await control.setDeliveryLatency('alice', 0.5);
    const sentAt = await control.now();
    const bob = client(server, 'bob');
    await bob.login();
    await bob.subscribe('room');
    assert.deepEqual(alice.events.take(), []);
    await control.advance(0.5);
    const [join] = alice.events.take();
    assert.deepEqual([join.eventType, join.timestamp], ['REMOTE_JOIN', sentAt]);
  });

  it('the journal exports every delivery, filtered, as JSON or JSON Lines', async () => {
    await pair();
    const entries = await control.journal({ recipient: 'alice', kind: 'presence' });
    assert.deepEqual(
      entries.map((e) => [e.recipient, e.kind, e.event.eventType, e.event.publisher]),
      [
        ['alice', 'presence', 'SNAPSHOT', ''],
        ['alice', 'presence', 'REMOTE_JOIN', 'bob'],
      ],
    );
    assert.ok(entries.every((e) => typeof e.appId === 'string' && typeof e.event.seq === 'number'));
    const lines = (await control.journalJsonl({ recipient: 'alice' })).trim().split('\n');
    assert.equal(lines.length, 4); // 2 link-state + 2 presence
    assert.deepEqual(JSON.parse(lines[2]).event.eventType, 'SNAPSHOT');
    await control.clearJournal();
    assert.deepEqual(await control.journal(), []);
    await control.checkInvariants();
  });

  it("R-C2: the server's default app is a valid app id; a control without appId uses it", async () => {
    const { defaultAppId } = await control.info();
    assert.match(defaultAppId, /^[0-9A-Za-z]{32}$/);
    const rtm = new AgoraRTM.RTM(defaultAppId, 'zed', { emulatorUrl: server.url });
    await rtm.login();
    await rtm.subscribe('room');
    const plain = new EmulatorControl(server.url);
    assert.deepEqual(await plain.onlineUsers('room', 'MESSAGE'), ['zed']);
    assert.deepEqual(await control.onlineUsers('room', 'MESSAGE'), []); // the suite's app
    await plain.close();
  });

  it('reset closes every client session: old clients start logged out', async () => {
    const { bob } = await pair();
    const info = await control.reset({ announceMax: 10 });
    assert.equal(info.config.announceMax, 10);
    assert.equal(info.sessions, 0);
    assert.deepEqual(await control.onlineUsers('room', 'MESSAGE'), []);
    await rejects(bob.rtm.subscribe('room'), 'subscribe', -10025);
  });
});
