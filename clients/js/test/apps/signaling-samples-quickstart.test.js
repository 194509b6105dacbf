// Agora's own reference app runs its channel chat unchanged on the emulator: the "SDK
// quickstart" sample of AgoraIO/signaling-sdk-samples-web at 7fc59ae (upstream.js says
// where the files come from; none of them is in this repository). The sample sends
// `publish(channel, JSON.stringify({type: "text", message}))`, writes every `message`
// event into its log as "Received message from <publisher>: <message>" (its own channel
// messages included, R-M9), and keeps a list of the channel's users from
// `presence.getOnlineUsers` on each SNAPSHOT / REMOTE_JOIN / REMOTE_LEAVE.
//
// The app runs as Vite serves it: src/sdk_quickstart/index.html's body, its module script,
// `load`, clicks on its buttons. Only the environment is stubbed: the app's settings
// (config.json, which its README says to fill in: here `appId` and `channelName` are set
// on the imported object before the app reads them, the file's bytes stay upstream's; its
// `uid` stays "1", its `token` empty), and the emulator's address. A second user (uid "2",
// this package's client) chats with it.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RTMClient } from '../../index.js';
import { DEBOUNCE_S, appRun, eventQueue, nextLogin, settle } from './harness.js';
import { openModulePage } from './module-page.js';
import { prototypesOf, receivedMessage } from './sdk-mode.js';
import { fillConfig, sampleLog as log } from './signaling-samples.js';
import { SIGNALING_SDK_SAMPLES as APP } from './upstream.js';

const APP_ID = 'SignalingQuickstartSampleApp0000';
const CHANNEL = 'demo';
const UID = '1'; // config.json's own uid

const run = appRun(APP, { appId: APP_ID, part: 'SDK quickstart' });
const { app, calls, unlessAppFails } = run;

/** The users list the page shows. */
const usersList = () =>
  [...document.querySelectorAll('#users-list li')].map((li) => li.textContent);

describe.skipIf(!app.available)(run.title, () => {
  let server;
  let peer;
  let peerMessages;
  let appClient;
  let appMessages;
  let appPresence;
  const appLogs = [];

  /** The app's `getOnlineUsers` calls from now on, all settled. */
  async function listRefreshed(count = 1) {
    for (let i = 0; i < count; i += 1) {
      const call = await unlessAppFails(calls.getOnlineUsers.next());
      await call.result;
    }
    await settle();
  }

  beforeAll(async () => {
    server = await run.start();
    vi.spyOn(console, 'log').mockImplementation((...args) => appLogs.push(args));
    run.watch(['login', 'logout', 'subscribe', 'unsubscribe', 'publish']);
    run.watch(['getOnlineUsers'], prototypesOf().presence);

    // config.json as its README says to fill it in, on the object the app imports.
    await fillConfig(app.dir, { appId: APP_ID, channelName: CHANNEL });
    const indexHtml = openModulePage(app.dir, 'src/sdk_quickstart/index.html');
    expect(indexHtml.scripts).toEqual(['get_started.js']);
    await indexHtml.run();
  });

  afterAll(async () => {
    await peer?.logout();
    await run.stop();
  });

  it('load shows the project selector and config.json\'s channel and user; Login logs in as "1"', async () => {
    window.dispatchEvent(new Event('load'));
    await vi.waitUntil(() => document.getElementById('channelName').textContent === CHANNEL);
    expect(document.getElementById('userId').textContent).toBe(UID);
    expect(document.querySelector('#projectSelector nav.navbar')).not.toBeNull();

    document.getElementById('login').click();
    const login = await nextLogin(run, { events: ['message', 'presence'] });
    appClient = login.client;
    ({ message: appMessages, presence: appPresence } = login.events);
    expect(login.result).toEqual({ timestamp: expect.any(Number) });
    expect(login.call.args).toEqual([]);
    expect(document.getElementById('login').textContent).toBe('Logout');
    expect(log()).toEqual([]); // no status event: the SDK never fires one (R-C5)
  });

  it('R-E1: Subscribe logs the SNAPSHOT and lists the user; a second user joining is logged and listed', async () => {
    document.getElementById('subscribe').click();
    const subscribe = await unlessAppFails(calls.subscribe.next((c) => c.client === appClient));
    expect(subscribe.args).toEqual([
      CHANNEL,
      { withMessage: true, withPresence: true, withMetadata: true, withLock: true },
    ]);
    await subscribe.result;
    await listRefreshed();
    expect(document.getElementById('subscribe').textContent).toBe('Unsubscribe');
    expect(log()).toEqual([`User ${UID} joined channel ${CHANNEL}`]);
    expect(usersList()).toEqual([UID]);

    peer = new RTMClient(APP_ID, '2', { logLevel: 'none' });
    peerMessages = eventQueue(peer, 'message');
    await peer.login();
    await peer.subscribe(CHANNEL);
    await unlessAppFails(appPresence.next((e) => e.eventType === 'REMOTE_JOIN'));
    await listRefreshed();
    expect(log().at(-1)).toBe('Presence event: REMOTE_JOIN, User: 2');
    expect(usersList()).toEqual([UID, '2']);
  });

  it('R-M1 R-M7 R-M9: Send publishes the JSON payload; the other user receives it, and the app logs it sent and, from its own message event, received', async () => {
    document.getElementById('channelMessage').value = 'Hello from the quickstart';
    document.getElementById('send_channel_message').click();
    const publish = await unlessAppFails(calls.publish.next((c) => c.client === appClient));
    const payload = JSON.stringify({ type: 'text', message: 'Hello from the quickstart' });
    expect(publish.args).toEqual([CHANNEL, payload]);
    expect(await publish.result).toEqual({ timestamp: 0, channelName: CHANNEL });
    const [atPeer, atApp] = await unlessAppFails(
      Promise.all([peerMessages.next(), appMessages.next()]),
    );
    await settle();
    const expected = {
      channelName: CHANNEL,
      publisher: UID,
      message: payload,
      messageType: 'STRING',
      customType: '',
      channelType: 'MESSAGE',
      topicName: '',
      timestamp: expect.any(Number),
    };
    expect(atPeer).toEqual(expected);
    expect(atApp).toEqual(expected);
    expect(log().slice(-2).sort()).toEqual(
      [
        `Message sent to channel ${CHANNEL}: Hello from the quickstart`,
        `Received message from ${UID}: ${payload}`,
      ].sort(),
    );
  });

  it('R-M7 R-M9 R-M23: the other user\'s channel message and its USER message to "1" are both logged as received', async () => {
    await peer.publish(CHANNEL, 'hi, channel');
    const [inChannel, ownEcho] = await unlessAppFails(
      Promise.all([appMessages.next(), peerMessages.next()]),
    );
    // the publisher hears its channel message too (stamps: see receivedMessage)
    expect(receivedMessage(inChannel)).toEqual(receivedMessage(ownEcho));
    await peer.publish(UID, 'hi, just you', { channelType: 'USER', customType: 'dm' });
    const direct = await unlessAppFails(appMessages.next());
    await settle();
    expect(direct).toMatchObject({
      channelType: 'USER',
      channelName: '2',
      publisher: '2',
      customType: 'dm',
    });
    expect(log().slice(-2)).toEqual([
      'Received message from 2: hi, channel',
      'Received message from 2: hi, just you',
    ]);
    // The other user heard the app's line and its own channel line, not its USER message.
    expect(peerMessages.seen.map((e) => [e.publisher, e.channelType])).toEqual([
      [UID, 'MESSAGE'],
      ['2', 'MESSAGE'],
    ]);
  });

  it('R-M5 R-E2 R-E6: Unsubscribe clears the list and stops the channel\'s messages; the other user sees the app leave after the debounce', async () => {
    const peerPresence = eventQueue(peer, 'presence');
    document.getElementById('subscribe').click();
    const unsubscribe = await unlessAppFails(calls.unsubscribe.next((c) => c.client === appClient));
    await unsubscribe.result;
    await settle();
    expect(document.getElementById('subscribe').textContent).toBe('Subscribe');
    expect(usersList()).toEqual([]);
    expect(log().at(-1)).toBe(`You have successfully left channel ${CHANNEL}`);

    // Real-SDK mode: the SDK deletes its own document and the other user hears it leave at
    // once, without R-E6's debounce (docs/real-sdk.md, D-RS4).
    if (!run.realSdk) await server.control.advance(DEBOUNCE_S);
    expect(await peerPresence.next()).toMatchObject({ eventType: 'REMOTE_LEAVE', publisher: UID });

    const heard = appMessages.seen.length;
    await peer.publish(CHANNEL, 'nobody hears this');
    await peer.publish(UID, 'but this arrives', { channelType: 'USER' });
    const next = await unlessAppFails(appMessages.next());
    await settle();
    expect(next).toMatchObject({ channelType: 'USER', message: 'but this arrives' });
    expect(appMessages.seen).toHaveLength(heard + 1);
    expect(log().at(-1)).toBe('Received message from 2: but this arrives');
  });

  it('R-L2: Logout ends the session: a USER message to "1" now fails (-11033)', async () => {
    document.getElementById('login').click();
    const logout = await unlessAppFails(calls.logout.next((c) => c.client === appClient));
    expect(await logout.result).toEqual({ timestamp: 0 });
    await settle();
    expect(document.getElementById('login').textContent).toBe('Login');
    await expect(peer.publish(UID, 'gone?', { channelType: 'USER' })).rejects.toMatchObject({
      code: -11033,
    });
    const errors = appLogs.filter((args) => args[0] instanceof Error || args[0] === 'Error:');
    expect(errors).toEqual([]);
  });
});
