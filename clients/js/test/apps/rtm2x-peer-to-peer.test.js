// A public app's peer-to-peer chat runs unchanged on the emulator: the "P2P Messaging"
// page of Bac1314/APIExample_AgoraRTM2x_Web at aafe3bc (upstream.js says where the files
// come from; none of them is in this repository). It is a plain page: jQuery, then the SDK
// from a script tag as the global `AgoraRTM`, then peertoPeer.js; this package takes the
// SDK's place (classic-page.js). The app sends with `publish(friend, text, {channelType:
// "USER"})` and puts its own message in the chat itself once the publish resolves; a
// received `message` event adds the friend's.
//
// Two instances of the page run side by side, as two browser tabs: alice's and bob's,
// each typing the app id, its user id and the friend's into the page and clicking Login.
// Only the environment is stubbed: `alert` (jsdom has no dialogs; recorded) and the
// emulator's address.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRun, settle } from './harness.js';
import { chatBox, logInTab, openTab, sendFromTab } from './rtm2x-pages.js';
import { RTM2X_API_EXAMPLE as APP } from './upstream.js';

const APP_ID = 'PeerToPeerSampleApp0000000000000';
const PAGE = 'Basic/2_Peer_to_Peer_Messaging/index.html';

const run = appRun(APP, { appId: APP_ID, part: 'P2P Messaging' });
const { app, calls, unlessAppFails } = run;

describe.skipIf(!app.available)(run.title, () => {
  /** `{page, client, messages, presence, linkStates}` of each user, once it logged in. */
  const users = {};

  /** Opens a tab for `uid` (or takes its open one), fills in `friend`, clicks Login. */
  async function logIn(uid, friend) {
    const page = users[uid]?.page ?? openTab(run, PAGE);
    users[uid] = await logInTab(run, page, { appid: APP_ID, uid, frienduid: friend });
    return users[uid];
  }

  /** Types `text` into `uid`'s message box and clicks Send; the app's publish call. */
  const send = (uid, text) => sendFromTab(run, users[uid], text);

  beforeAll(async () => {
    await run.start();
    run.watch(['login', 'logout', 'publish']);
  });

  afterAll(async () => {
    for (const { page } of Object.values(users)) page.close();
    await run.stop();
  });

  it('runs the page as the browser does: jQuery, jquery.cookie, bootstrap, the SDK tag (this package, or the real bundle in real-SDK mode), peertoPeer.js, the model', () => {
    const page = openTab(run, PAGE);
    users.alice = { page };
    expect(page.scripts).toEqual([
      'OtherAssets/jquery-3.4.1.min.js',
      'OtherAssets/jquery.cookie.js',
      'OtherAssets/bootstrap.bundle.min.js',
      APP.sdkScript,
      'Basic/2_Peer_to_Peer_Messaging/peertoPeer.js',
      'Models/CustomRTMUser.js',
    ]);
    expect(page.errors).toEqual([]);
    expect(page.shown('chat-container')).toBe(false);
    expect(page.text('login')).toBe('Login');
  });

  it('R-C2 R-L3: alice logs in with the token field left empty (as the page says to without a certificate); the page shows the chat and the link state', async () => {
    const { page, client, linkStates } = await logIn('alice', 'bob');
    expect(page.clients).toEqual([client]);
    expect(calls.login.seen.at(-1).args).toEqual([{ token: '' }]);
    expect(page.text('login')).toBe('Logout');
    expect(page.shown('chat-container')).toBe(true);
    expect(page.text('userCount')).toBe('bob');
    expect(linkStates.seen.at(-1)).toMatchObject({ currentState: 'CONNECTED' });
    expect(page.text('rtmlinkstate')).toBe('CONNECTED');
    expect(page.alerts).toEqual([]);
  });

  it('R-M4: a message to bob while bob is not logged in fails (-11033): the page alerts, shows nothing, delivers nothing', async () => {
    const { page } = users.alice;
    const publish = await send('alice', 'are you there?');
    expect(publish.args).toEqual(['bob', 'are you there?', { channelType: 'USER' }]);
    const error = await publish.result.then(
      () => null,
      (e) => e,
    );
    expect(error).toMatchObject({ code: -11033, operation: 'publish' });
    expect(error.name).toBe('RtmUnavailableError');
    // The real bundle's classes are minified (this one's constructor is "Te"): it names the
    // error class in `name` only; this package's class has the name too.
    if (!run.realSdk) expect(error.constructor.name).toBe('RtmUnavailableError');
    expect(page.alerts).toEqual([`Publish Message failed ${error}`]);
    expect(chatBox(page)).toEqual([]);
    expect(page.document.getElementById('messageInput').value).toBe(''); // cleared on Send
  });

  it('R-M2 R-M7 R-M9 R-M23: alice and bob chat; each sees its own line (added by the app) and the friend\'s (from the message event)', async () => {
    const bob = await logIn('bob', 'alice');
    const alice = users.alice;
    expect(bob.page.text('rtmlinkstate')).toBe('CONNECTED');

    const hi = await send('alice', 'hi bob');
    expect(await hi.result).toEqual({ timestamp: 0, channelName: 'bob' });
    const atBob = await unlessAppFails(bob.messages.next());
    await settle();
    expect(atBob).toEqual({
      channelName: 'alice', // the publisher's id (R-M23)
      publisher: 'alice',
      message: 'hi bob',
      messageType: 'STRING',
      customType: '',
      channelType: 'USER',
      topicName: '',
      timestamp: expect.any(Number),
    });
    expect(chatBox(alice.page)).toEqual([['alice', 'hi bob', 'local']]);
    expect(chatBox(bob.page)).toEqual([['alice', 'hi bob', 'remote']]);

    await send('bob', 'hello alice');
    await unlessAppFails(alice.messages.next());
    await settle();
    expect(chatBox(alice.page)).toEqual([
      ['alice', 'hi bob', 'local'],
      ['bob', 'hello alice', 'remote'],
    ]);
    expect(chatBox(bob.page)).toEqual([
      ['alice', 'hi bob', 'remote'],
      ['bob', 'hello alice', 'local'],
    ]);
    expect(bob.page.logLines()).toContain("Bac's Received message from alice: hi bob");
    expect(alice.page.logLines()).toContain("Bac's Received message from bob: hello alice");
    // Only the friend's messages arrive as events: nobody hears its own USER message.
    expect(alice.messages.seen.map((e) => e.publisher)).toEqual(['bob']);
    expect(bob.messages.seen.map((e) => e.publisher)).toEqual(['alice']);
    for (const { page } of [alice, bob]) {
      expect(page.alerts.slice(page === alice.page ? 1 : 0)).toEqual([]);
      expect(page.errors).toEqual([]);
    }
  });

  it('R-M4 R-L2: after alice clicks Logout, bob\'s next message fails (-11033) and alice gets nothing', async () => {
    const alice = users.alice;
    const bob = users.bob;
    alice.page.click('login');
    const logout = await unlessAppFails(calls.logout.next((c) => c.client === alice.client));
    expect(await logout.result).toEqual({ timestamp: 0 });
    await settle();
    expect(alice.page.text('login')).toBe('Login');
    expect(alice.page.shown('chat-container')).toBe(false);
    expect(alice.page.text('rtmlinkstate')).toBe(alice.linkStates.seen.at(-1).currentState);
    expect(alice.linkStates.seen.at(-1).currentState).toBe('IDLE');

    const publish = await send('bob', 'still there?');
    await expect(publish.result).rejects.toMatchObject({ code: -11033 });
    expect(bob.page.alerts).toHaveLength(1);
    expect(bob.page.alerts[0]).toMatch(/^Publish Message failed /);
    expect(chatBox(bob.page)).toHaveLength(2); // the failed line is not shown
    expect(alice.messages.seen).toHaveLength(1);
  });
});
