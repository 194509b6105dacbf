// A public app's channel chat runs unchanged on the emulator: the "Channel Messaging" page
// of Bac1314/APIExample_AgoraRTM2x_Web at aafe3bc (upstream.js says where the files come
// from; none of them is in this repository). It is a plain page: jQuery, then the SDK from
// a script tag as the global `AgoraRTM`, then channelMessaging.js and its models; this
// package takes the SDK's place (classic-page.js). The app publishes with `{channelType:
// "MESSAGE", customType}`, the custom type picked from radio buttons (none,
// `assistant.transcription`, `user.transcription` — an AI agent's transcripts — or one
// typed in), and shows a message only when its `message` event arrives: the sender's own
// line too (R-M9). Presence events are listed in the chat, and the channel list counts
// the users.
//
// Two instances of the page run side by side, as two browser tabs: alice's and bob's.
// Only the environment is stubbed: `alert` (jsdom has no dialogs; recorded) and the
// emulator's address; the emulator's clock moves only by `control.advance`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBOUNCE_S, appRun, settle } from './harness.js';
import { chatBox, logInTab, openTab, sendFromTab } from './rtm2x-pages.js';
import { receivedMessage } from './sdk-mode.js';
import { RTM2X_API_EXAMPLE as APP } from './upstream.js';

const APP_ID = 'ChannelMessagingSampleApp0000000';
const PAGE = 'Basic/1_ChannelMessaging/index.html';
const CHANNEL = 'lobby';

const run = appRun(APP, { appId: APP_ID, part: 'Channel Messaging' });
const { app, calls, unlessAppFails } = run;

/** The channel list: each item's text, `*` marking the selected one. */
function channelList(page) {
  return [...page.document.querySelectorAll('#channel-list .channel-item')].map(
    (item) => `${item.textContent}${item.classList.contains('selected-channel') ? ' *' : ''}`,
  );
}

/** The line the app writes into the chat for a presence event. */
function presenceLine({ publisher, eventType, interval = null, states = {}, snapshot = [] }) {
  return (
    `Presence Event - publisher:${publisher} action:${eventType} channel:${CHANNEL}, ` +
    `interval:${interval}, states: ${JSON.stringify(states)}, snapshot:${JSON.stringify(snapshot)}`
  );
}

describe.skipIf(!app.available)(run.title, () => {
  let server;
  /** `{page, client, messages, presence, linkStates}` of each user, once it logged in. */
  const users = {};

  /** Opens a tab of the page for `uid`, types the app id and `uid`, clicks Login. */
  async function logIn(uid) {
    const page = openTab(run, PAGE);
    expect(page.errors).toEqual([]);
    users[uid] = await logInTab(run, page, { appid: APP_ID, uid });
    return users[uid];
  }

  /** Types `channel` into `uid`'s subscribe box and clicks Subscribe; waits for the SNAPSHOT. */
  async function subscribe(uid, channel) {
    const { page, client, presence } = users[uid];
    page.type('channelInput', channel);
    page.click('subscribeBtn');
    const call = await unlessAppFails(calls.subscribe.next((c) => c.client === client));
    await call.result;
    const snapshot = await unlessAppFails(presence.next((e) => e.eventType === 'SNAPSHOT'));
    await settle();
    return { call, snapshot };
  }

  /** Picks the custom type radio `value` on `uid`'s page (a click, as a user does). */
  function pickType(uid, value) {
    const { page } = users[uid];
    page.click(page.document.querySelector(`input[name="messageType"][value="${value}"]`));
  }

  /** Types `text` and clicks Send on `uid`'s page; the app's publish call, settled. */
  const send = (uid, text) => sendFromTab(run, users[uid], text);

  /** The next message event at each of `uids`, the apps' listeners having run. */
  async function heardBy(...uids) {
    const events = await unlessAppFails(
      Promise.all(uids.map((uid) => users[uid].messages.next())),
    );
    await settle();
    return events;
  }

  beforeAll(async () => {
    server = await run.start();
    run.watch(['login', 'logout', 'subscribe', 'publish']);
  });

  afterAll(async () => {
    for (const { page } of Object.values(users)) page.close();
    await run.stop();
  });

  it('R-E1: alice logs in (empty token field) and subscribes to "lobby": the SNAPSHOT is listed in the chat, the channel list counts one user', async () => {
    const { page } = await logIn('alice');
    expect(page.scripts).toEqual([
      'OtherAssets/jquery-3.4.1.min.js',
      'OtherAssets/jquery.cookie.js',
      'OtherAssets/bootstrap.bundle.min.js',
      APP.sdkScript,
      'Basic/1_ChannelMessaging/channelMessaging.js',
      'Models/CustomRTMUser.js',
      'Models/CustomRTMChannel.js',
      'Models/CustomRTMMessage.js',
    ]);
    expect(calls.login.seen.at(-1).args).toEqual([{ token: '' }]);
    expect(page.text('login')).toBe('Logout');
    expect(page.shown('sectionSubscribe')).toBe(true);
    expect(page.shown('sectionMessages')).toBe(false);
    expect(page.text('rtmlinkstate')).toBe('CONNECTED');

    const { call, snapshot } = await subscribe('alice', CHANNEL);
    expect(call.args).toEqual([CHANNEL]); // the SDK's default options
    expect(snapshot.snapshot).toEqual([{ userId: 'alice', states: {}, statesCount: 0 }]);
    expect(page.shown('sectionMessages')).toBe(true);
    expect(page.text('selectedChannel')).toBe(CHANNEL);
    expect(channelList(page)).toEqual(['lobby #1 *']);
    expect(chatBox(page)).toEqual([
      [
        '',
        presenceLine({ publisher: '', eventType: 'SNAPSHOT', snapshot: snapshot.snapshot }),
        'presence',
      ],
    ]);
    expect(page.alerts).toEqual([]);
  });

  it('R-E1: bob joins from a second tab: his SNAPSHOT lists both, alice\'s chat lists his REMOTE_JOIN and her list counts two', async () => {
    const bob = await logIn('bob');
    const alice = users.alice;
    const { snapshot } = await subscribe('bob', CHANNEL);
    expect(snapshot.snapshot.map((u) => u.userId).sort()).toEqual(['alice', 'bob']);
    await unlessAppFails(alice.presence.next((e) => e.eventType === 'REMOTE_JOIN'));
    await settle();

    expect(channelList(bob.page)).toEqual(['lobby #2 *']);
    expect(chatBox(bob.page)).toEqual([
      [
        '',
        presenceLine({ publisher: '', eventType: 'SNAPSHOT', snapshot: snapshot.snapshot }),
        'presence',
      ],
    ]);
    expect(channelList(alice.page)).toEqual(['lobby #2 *']);
    expect(chatBox(alice.page).slice(1)).toEqual([
      ['bob', presenceLine({ publisher: 'bob', eventType: 'REMOTE_JOIN' }), 'presence'],
    ]);
  });

  it('R-M1 R-M2 R-M7 R-M9: alice sends a chat line: both tabs show it, hers from her own message event', async () => {
    const { alice, bob } = users;
    const publish = await send('alice', 'hello everyone');
    expect(publish.args).toEqual([
      CHANNEL,
      'hello everyone',
      { channelType: 'MESSAGE', customType: '' },
    ]);
    expect(await publish.result).toEqual({ timestamp: 0, channelName: CHANNEL });
    const [atAlice, atBob] = await heardBy('alice', 'bob');
    const expected = {
      channelName: CHANNEL,
      publisher: 'alice',
      message: 'hello everyone',
      messageType: 'STRING',
      customType: '',
      channelType: 'MESSAGE',
      topicName: '',
      timestamp: expect.any(Number),
    };
    expect(atAlice).toEqual(expected);
    expect(atBob).toEqual(expected);
    expect(chatBox(alice.page).at(-1)).toEqual(['alice', 'hello everyone', 'local']);
    expect(chatBox(bob.page).at(-1)).toEqual(['alice', 'hello everyone', 'remote']);
    expect(bob.page.logLines()).toContain(
      "Bac's Received message from alice customType:  message: hello everyone ",
    );
  });

  it('R-M1 R-M7: bob sends transcripts with the assistant.transcription and user.transcription types; the type reaches both', async () => {
    const { alice, bob } = users;
    pickType('bob', 'assistant.transcription');
    expect(bob.page.shown('customTypeInput')).toBe(false);
    await send('bob', 'The weather in Paris is sunny today.');
    let [atAlice, atBob] = await heardBy('alice', 'bob');
    for (const event of [atAlice, atBob]) {
      expect(event).toMatchObject({
        publisher: 'bob',
        customType: 'assistant.transcription',
        message: 'The weather in Paris is sunny today.',
      });
    }

    pickType('alice', 'user.transcription');
    await send('alice', 'what about tomorrow?');
    [atAlice, atBob] = await heardBy('alice', 'bob');
    expect(atBob).toMatchObject({ publisher: 'alice', customType: 'user.transcription' });
    expect(receivedMessage(atAlice)).toEqual(receivedMessage(atBob)); // stamps: see receivedMessage

    expect(alice.page.logLines()).toContain(
      "Bac's Received message from bob customType: assistant.transcription message: The weather in Paris is sunny today. ",
    );
    expect(chatBox(alice.page).slice(-3)).toEqual([
      ['alice', 'hello everyone', 'local'],
      ['bob', 'The weather in Paris is sunny today.', 'remote'],
      ['alice', 'what about tomorrow?', 'local'],
    ]);
    expect(chatBox(bob.page).slice(-3)).toEqual([
      ['alice', 'hello everyone', 'remote'],
      ['bob', 'The weather in Paris is sunny today.', 'local'],
      ['alice', 'what about tomorrow?', 'remote'],
    ]);
  });

  it('R-M1: a custom type typed in (a host command) reaches both; one over 32 bytes and a text over 32 KB are refused with the page\'s alert, and nobody hears them', async () => {
    const { alice, bob } = users;
    pickType('bob', 'custom');
    expect(bob.page.shown('customTypeInput')).toBe(true);
    bob.page.type('customTypeInput', 'host.mute-all');
    await send('bob', 'everyone is muted');
    const [atAlice] = await heardBy('alice', 'bob');
    expect(atAlice).toMatchObject({ customType: 'host.mute-all', message: 'everyone is muted' });

    const heard = [alice.messages.seen.length, bob.messages.seen.length];
    const big = await send('bob', 'x'.repeat(32 * 1024 + 1));
    await expect(big.result).rejects.toMatchObject({ code: -11010, operation: 'publish' });
    bob.page.type('customTypeInput', 'h'.repeat(33));
    const longType = await send('bob', 'this type is too long');
    await expect(longType.result).rejects.toMatchObject({ code: -11029, operation: 'publish' });
    expect(bob.page.alerts).toEqual([
      `Publish Message failed ${await big.result.catch((e) => e)}`,
      `Publish Message failed ${await longType.result.catch((e) => e)}`,
    ]);

    // The next good message is the next one each tab hears: the refused ones never arrive.
    bob.page.type('customTypeInput', 'host.unmute-all');
    await send('bob', 'everyone may speak');
    const [nextAtAlice, nextAtBob] = await heardBy('alice', 'bob');
    expect(nextAtAlice).toMatchObject({
      message: 'everyone may speak',
      customType: 'host.unmute-all',
    });
    expect(receivedMessage(nextAtBob)).toEqual(receivedMessage(nextAtAlice));
    expect([alice.messages.seen.length, bob.messages.seen.length]).toEqual(
      heard.map((n) => n + 1),
    );
    expect(chatBox(bob.page).slice(-2).map(([, text]) => text)).toEqual([
      'everyone is muted',
      'everyone may speak',
    ]);
  });

  it('R-E2 R-E6 R-L2: bob clicks Logout: alice lists his REMOTE_LEAVE after the debounce, counts one, and her next line reaches only her', async () => {
    const { alice, bob } = users;
    bob.page.click('login');
    const logout = await unlessAppFails(calls.logout.next((c) => c.client === bob.client));
    await logout.result;
    await settle();
    expect(bob.page.text('login')).toBe('Login');
    expect(bob.page.shown('sectionSubscribe')).toBe(false);
    expect(bob.page.shown('sectionMessages')).toBe(false);

    await server.control.advance(DEBOUNCE_S);
    const leave = await unlessAppFails(alice.presence.next((e) => e.eventType === 'REMOTE_LEAVE'));
    await settle();
    expect(leave).toMatchObject({ publisher: 'bob', channelName: CHANNEL });
    expect(chatBox(alice.page).at(-1)).toEqual([
      'bob',
      presenceLine({ publisher: 'bob', eventType: 'REMOTE_LEAVE' }),
      'presence',
    ]);
    expect(channelList(alice.page)).toEqual(['lobby #1 *']);

    const heardByBob = bob.messages.seen.length;
    pickType('alice', '');
    await send('alice', 'anyone?');
    const [atAlice] = await heardBy('alice');
    expect(atAlice).toMatchObject({ message: 'anyone?', customType: '' });
    expect(bob.messages.seen).toHaveLength(heardByBob);
    expect(alice.page.alerts).toEqual([]);
    for (const { page } of [alice, bob]) expect(page.errors).toEqual([]);
  });
});
