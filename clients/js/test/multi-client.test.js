// Several JS clients on one server: state, interval mode, network loss by closing a
// socket (R-T2), reconnects (R-T3), kicks, debounce, faults, and cross-socket ordering.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
  alice.events.takeLinks();
  bob.events.takeLinks();
  return { alice, bob };
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

  it('a control call resolves after the events it caused were delivered', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.unsubscribe('room');
    assert.deepEqual(alice.events.takeTypes(), []); // debounced (R-E6)
    await control.advance(2);
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_LEAVE', 'bob']]);
  });
});

describe('state', () => {
  it('set / get / remove, with REMOTE_STATE_CHANGED carrying the full state (R-S2, R-S5)', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.presence.setState('room', 'MESSAGE', { mood: 'pumped', seat: '3' });
    await bob.rtm.presence.setState('room', 'MESSAGE', { seat: '4' });
    const got = await alice.rtm.presence.getState('bob', 'room', 'MESSAGE');
    assert.deepEqual(got.states, { mood: 'pumped', seat: '4' });
    assert.equal(got.statesCount, 2);
    const who = await alice.rtm.presence.getOnlineUsers('room', 'MESSAGE', { includedState: true });
    assert.deepEqual(
      who.occupants.map((o) => [o.userId, o.states]),
      [
        ['alice', {}],
        ['bob', { mood: 'pumped', seat: '4' }],
      ],
    );
    await bob.rtm.presence.removeState('room', 'MESSAGE', { states: ['mood'] });
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
    assert.deepEqual(bob.events.take(), []); // nobody hears about itself (R-E3)
    assert.deepEqual(await control.stateOf('bob', 'room', 'MESSAGE'), {});
  });

  it('state set before subscribing is cached and announced on entry (R-S4)', async () => {
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
  });
});

describe('interval mode (R-E5)', () => {
  it('above announceMax the channel sends one INTERVAL per period, then returns to announce mode', async () => {
    await control.reset({ announceMax: 8, interval: 5 });
    const watcher = await recorded(server, 'watcher');
    await watcher.rtm.subscribe('lobby');
    const others = [];
    for (let i = 1; i <= 9; i += 1) {
      const other = client(server, `u${i}`);
      await other.login();
      await other.subscribe('lobby');
      others.push(other);
    }
    assert.deepEqual(watcher.events.takeTypes(), [
      ['SNAPSHOT', ''],
      ...[1, 2, 3, 4, 5, 6, 7].map((i) => ['REMOTE_JOIN', `u${i}`]),
    ]);
    await others[0].presence.setState('lobby', 'MESSAGE', { seat: '1' });
    await others[8].unsubscribe('lobby');
    await control.advance(4.999);
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
        join: { users: ['u8', 'u9'], userCount: 2 },
        leave: { users: ['u9'], userCount: 1 },
        timeout: { users: [], userCount: 0 },
        userStateList: [{ userId: 'u1', states: { seat: '1' }, statesCount: 1 }],
        totalOccupancy: 9,
      },
      snapshot: null,
      timestamp: await control.now(),
    });
    await others[7].unsubscribe('lobby');
    await control.advance(5);
    const [back] = watcher.events.take();
    assert.equal(back.eventType, 'INTERVAL');
    assert.deepEqual(back.interval.leave, { users: ['u8'], userCount: 1 });
    assert.equal(back.interval.totalOccupancy, 8);
    await control.advance(1);
    await others[0].presence.setState('lobby', 'MESSAGE', { seat: '2' });
    assert.deepEqual(
      watcher.events.take().map((e) => [e.eventType, e.publisher, e.stateChanged]),
      [['REMOTE_STATE_CHANGED', 'u1', { seat: '2' }]],
    );
  });
});

describe('network loss by closing the socket (R-T2, R-T3)', () => {
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

  it('calls while the socket is closed reopen it on the same session and fail with -10025', async () => {
    const { bob } = await pair();
    const session = bob.rtm.emulator.session;
    await bob.rtm.emulator.dropConnection();
    await rejects(bob.rtm.presence.whoNow('room', 'MESSAGE'), 'whoNow', -10025);
    assert.equal(bob.rtm.emulator.session, session);
    assert.equal(bob.rtm.emulator.socketOpen, true);
    // the link-state event of the loss was kept for the client and delivered on resume
    assert.deepEqual(bob.events.takeLinks(), [['CONNECTED', 'DISCONNECTED']]);
  });

  it('restoring before the timeout: nobody else hears anything; the client resyncs', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.presence.setState('room', 'MESSAGE', { seat: '1' });
    alice.events.take();
    await bob.rtm.emulator.dropConnection();
    await control.advance(100);
    await bob.rtm.emulator.restoreConnection();
    assert.deepEqual(alice.events.take(), []);
    const links = bob.events.links.splice(0);
    assert.deepEqual(
      links.map((e) => [e.previousState, e.currentState, e.isResumed]),
      [
        ['CONNECTED', 'DISCONNECTED', false],
        ['DISCONNECTED', 'CONNECTED', true],
      ],
    );
    const [snapshot] = bob.events.take();
    assert.equal(snapshot.eventType, 'SNAPSHOT');
    assert.deepEqual(
      snapshot.snapshot.map((u) => [u.userId, u.states]),
      [
        ['alice', {}],
        ['bob', { seat: '1' }],
      ],
    );
  });

  it('restoring after the timeout re-enters with the old state (others: REMOTE_JOIN + state)', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.presence.setState('room', 'MESSAGE', { seat: '1' });
    alice.events.take();
    await bob.rtm.emulator.dropConnection();
    await control.advance(315);
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_TIMEOUT', 'bob']]);
    await bob.rtm.emulator.restoreConnection();
    assert.deepEqual(
      alice.events.take().map((e) => [e.eventType, e.publisher, e.stateChanged]),
      [
        ['REMOTE_JOIN', 'bob', {}],
        ['REMOTE_STATE_CHANGED', 'bob', { seat: '1' }],
      ],
    );
    assert.deepEqual(bob.events.takeLinks(), [
      ['CONNECTED', 'DISCONNECTED'],
      ['DISCONNECTED', 'SUSPENDED'],
      ['SUSPENDED', 'CONNECTED'],
    ]);
  });

  it('control.disconnect keeps the socket: link events arrive live, calls fail with -10025', async () => {
    const { alice, bob } = await pair();
    await control.disconnect('bob');
    assert.deepEqual(bob.events.takeLinks(), [['CONNECTED', 'DISCONNECTED']]);
    await rejects(bob.rtm.subscribe('other'), 'subscribe', -10025);
    await control.advance(120);
    assert.deepEqual(bob.events.takeLinks(), [['DISCONNECTED', 'SUSPENDED']]);
    await control.reconnect('bob');
    assert.deepEqual(bob.events.takeLinks(), [['SUSPENDED', 'CONNECTED']]);
    assert.deepEqual(alice.events.take(), []);
  });
});

describe('lifecycle', () => {
  it('logout closes the socket; others see a debounced REMOTE_LEAVE; login again works', async () => {
    const { alice, bob } = await pair();
    await bob.rtm.logout();
    assert.equal(bob.rtm.emulator.socketOpen, false);
    assert.equal(bob.rtm.emulator.session, null);
    assert.deepEqual(bob.events.takeLinks(), [['CONNECTED', 'IDLE']]);
    await control.advance(2);
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_LEAVE', 'bob']]);
    await rejects(bob.rtm.subscribe('room'), 'subscribe', -10002);
    await bob.rtm.login();
    await bob.rtm.subscribe('room');
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_JOIN', 'bob']]);
  });

  it('a second login of the same user id kicks the first client (FAILED / SAME_UID_LOGIN)', async () => {
    const { alice, bob } = await pair();
    const bobAgain = await recorded(server, 'bob');
    const [kick] = bob.events.links.splice(0);
    assert.deepEqual(
      [kick.previousState, kick.currentState, kick.reasonCode],
      ['CONNECTED', 'FAILED', 'SAME_UID_LOGIN'],
    );
    assert.deepEqual(bobAgain.events.takeLinks(), [
      ['IDLE', 'CONNECTING'],
      ['CONNECTING', 'CONNECTED'],
    ]);
    await control.advance(2);
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_LEAVE', 'bob']]);
    await rejects(bob.rtm.presence.whereNow(''), 'whereNow', -10002);
  });

  it('stream channels: join / leave, quiet users, and handles that outlive logout (R-L2)', async () => {
    const alice = await recorded(server, 'alice');
    const bob = await recorded(server, 'bob');
    const aliceStage = alice.rtm.createStreamChannel('stage');
    assert.equal(aliceStage.channelName, 'stage');
    assert.deepEqual(await aliceStage.join(), { timestamp: await control.now() });
    const bobStage = bob.rtm.createStreamChannel('stage');
    await bobStage.join({ withPresence: true, beQuiet: true });
    assert.deepEqual(alice.events.takeTypes(), [['SNAPSHOT', '']]); // quiet: no REMOTE_JOIN (R-E4)
    await bobStage.join({ beQuiet: false });
    assert.deepEqual(alice.events.takeTypes(), [['REMOTE_JOIN', 'bob']]); // quiet -> visible (R-L1)
    await bobStage.leave();
    await rejects(bobStage.leave(), 'leave', -11001);
    await alice.rtm.logout();
    await alice.rtm.login();
    await aliceStage.join();
    assert.deepEqual(await control.userChannels('alice'), [{ channelType: 'STREAM', channelName: 'stage' }]);
  });

  it('removeEventListener stops a listener; unknown event names throw -10014', async () => {
    const rtm = client(server, 'alice');
    const seen = [];
    const listener = (e) => seen.push(e.eventType);
    rtm.addEventListener('presence', listener);
    rtm.addEventListener('message', () => {}); // accepted, never fired
    await rtm.login();
    await rtm.subscribe('a');
    rtm.removeEventListener('presence', listener);
    await rtm.subscribe('b');
    assert.deepEqual(seen, ['SNAPSHOT']);
    assert.throws(() => rtm.addEventListener('presense', listener), (err) => {
      assert.equal(err.errorCode, -10014);
      assert.equal(err.operation, 'addEventListener');
      assert.match(err.reason, /presense/);
      return true;
    });
    assert.throws(() => rtm.addEventListener('presence', 'nope'), { errorCode: -10014 });
  });
});

describe('faults and inspection', () => {
  it('presence outage: ERROR_OUT_OF_SERVICE instead of SNAPSHOT, no events flow (R-E8)', async () => {
    const alice = await recorded(server, 'alice');
    await alice.rtm.subscribe('room');
    await control.setPresenceAvailable('room', 'MESSAGE', false);
    const bob = await recorded(server, 'bob');
    await bob.rtm.subscribe('room');
    assert.deepEqual(bob.events.takeTypes(), [['ERROR_OUT_OF_SERVICE', '']]);
    assert.deepEqual(alice.events.takeTypes(), [['SNAPSHOT', '']]);
    assert.deepEqual(await control.onlineUsers('room', 'MESSAGE'), ['alice', 'bob']);
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
    assert.ok(entries.every((e) => e.appId === 'my-app' && typeof e.event.seq === 'number'));
    const lines = (await control.journalJsonl({ recipient: 'alice' })).trim().split('\n');
    assert.equal(lines.length, 4); // 2 link-state + 2 presence
    assert.deepEqual(JSON.parse(lines[2]).event.eventType, 'SNAPSHOT');
    await control.clearJournal();
    assert.deepEqual(await control.journal(), []);
    await control.checkInvariants();
  });

  it('reset closes every client session: old clients start logged out', async () => {
    const { bob } = await pair();
    const info = await control.reset({ announceMax: 10 });
    assert.equal(info.config.announceMax, 10);
    assert.equal(info.sessions, 0);
    assert.deepEqual(await control.onlineUsers('room', 'MESSAGE'), []);
    await rejects(bob.rtm.subscribe('room'), 'subscribe', -10002);
  });
});
