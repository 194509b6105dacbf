// What the Basic pages of Bac1314/APIExample_AgoraRTM2x_Web (upstream.js) share, and
// their tests with them: each page is a tab opened by classic-page.js, with a login form
// (`appid`, `uid`, a page's own fields, the `login` button that turns into Logout), a
// message box with a Send button, and a chat box the app writes each line into.

import { openClassicPage } from './classic-page.js';
import { nextLogin, settle } from './harness.js';
import { RTM2X_API_EXAMPLE } from './upstream.js';

/**
 * A new tab of `page` (a path of the app) in `run`'s copy of the app; see openClassicPage.
 * In real-SDK mode the tab's own copy of the SDK gets the setup call (`run.setUpPage`),
 * and the calls `run` watches on a client are watched on the tab's SDK too.
 */
export function openTab(run, page) {
  return openClassicPage({
    dir: run.app.dir,
    page,
    sdkScript: RTM2X_API_EXAMPLE.sdkScript,
    onSdk: (sdk) => run.setUpPage(sdk),
  });
}

/**
 * Types `fields` (input id -> value, in order) into `page`'s login form and clicks
 * Login; resolves, once the login resolved and the page settled, to the tab's user:
 * `{page, client, messages, presence, linkStates}`, the last three the client's
 * `message`, `presence` and `linkState` events (see nextLogin).
 *
 * Rejects: as nextLogin does.
 */
export async function logInTab(run, page, fields) {
  await page.ready;
  for (const [id, value] of Object.entries(fields)) page.type(id, value);
  page.click('login');
  const { client, events } = await nextLogin(run, {
    match: (call) => page.clients.includes(call.client),
    events: ['message', 'presence', 'linkState'],
  });
  return {
    page,
    client,
    messages: events.message,
    presence: events.presence,
    linkStates: events.linkState,
  };
}

/**
 * Types `text` into the user's message box and clicks Send; resolves to the app's
 * publish call (`{client, args, result}`) once its result settled, either way, and the
 * page with it.
 *
 * Rejects: with an error the app leaves unhandled first.
 */
export async function sendFromTab(run, { page, client }, text) {
  page.type('messageInput', text);
  page.click('sendButton');
  const publish = await run.unlessAppFails(run.calls.publish.next((c) => c.client === client));
  await publish.result.catch(() => {});
  await settle();
  return publish;
}

/**
 * The chat box as the page shows it: `[sender, text, kind]` per line, kind `local` (the
 * user's own), `presence` (a presence event the page lists) or `remote`.
 */
export function chatBox(page) {
  return [...page.document.querySelectorAll('#chat-box .message')].map((message) => {
    const body = message.children[1];
    let kind = 'remote';
    if (message.classList.contains('local-message-alignment')) kind = 'local';
    else if (body.classList.contains('remote-presence-message-design')) kind = 'presence';
    return [message.querySelector('.sender-name').textContent, body.textContent, kind];
  });
}
