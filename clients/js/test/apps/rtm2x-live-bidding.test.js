// A live auction whose bids are compare-and-set writes runs unchanged on the emulator:
// the Advanced/3_LiveBidding page of Bac1314/APIExample_AgoraRTM2x_Web at aafe3bc
// (upstream.js says where the files come from; none of them is in this repository):
// index.html and liveBidding.js, with the SDK from the page's script tag.
//
// The page: Login subscribes the auction channel and reads its metadata; "Create New
// Auction" writes the item (`storage.setChannelMetadata(channel, "MESSAGE", items,
// {majorRevision: -1, addTimeStamp, addUserId})`); a bid (Place Bid, Quick Bid +$10)
// reads the channel's `majorRevision` (`storage.getChannelMetadata`) and writes
// `currentBid` and `highestBidder` with `storage.updateChannelMetadata(…, {majorRevision,
// …})`, the status line saying "…placed successfully!" or "Failed to place bid: <the
// error's message>". Two tabs bid at the same moment: both read the same revision, the
// first write moves it, the second is refused with -12014 and changes nothing.
//
// Only the environment is stubbed: jsdom's `localStorage` for the page's saved
// credentials (a file: page has none), `alert` (recorded by classic-page.js), and the
// page's chart.js tag (a CDN library its script does not use: not loaded).
//
// Needs from the emulator (issue 17; the test is skipped, saying which, until they
// exist): rtm.storage.{setChannelMetadata, getChannelMetadata, updateChannelMetadata}
// with majorRevision compare-and-set (R-ST11, D-ST4).

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RTMClient } from '../../index.js';
import { lacking } from './emulator-features.js';
import { appRun, settle, watchCalls } from './harness.js';
import { logInTab, openTab } from './rtm2x-pages.js';
import { RTM2X_API_EXAMPLE as APP } from './upstream.js';

const APP_ID = 'Rtm2xLiveBiddingApp0000000000000';
const CHANNEL = 'BiddingRootChannel'; // liveBidding.js's mainChannel
const PAGE = 'Advanced/3_LiveBidding/index.html';

const absent = lacking('APIExample_AgoraRTM2x_Web (Live Bidding)', [
  'rtm.storage.setChannelMetadata',
  'rtm.storage.getChannelMetadata',
  'rtm.storage.updateChannelMetadata',
]);

const run = appRun(APP, { appId: APP_ID, part: 'Live Bidding' });
const { app, unlessAppFails } = run;

/** A tab of the page with a working `localStorage` (jsdom gives a file: page none). */
function openBiddingTab() {
  const page = openTab(run, PAGE);
  const saved = new Map();
  Object.defineProperty(page.window, 'localStorage', {
    configurable: true,
    value: {
      getItem: (key) => (saved.has(key) ? saved.get(key) : null),
      setItem: (key, value) => saved.set(key, String(value)),
      removeItem: (key) => saved.delete(key),
    },
  });
  return page;
}

describe.skipIf(!app.available || absent.length > 0)(run.title, () => {
  let alice;
  let bob;
  let observer;
  let updates;

  beforeAll(async () => {
    await run.start();
    run.watch(['login']);
    observer = new RTMClient(APP_ID, 'observer', { logLevel: 'none' });
    updates = watchCalls('updateChannelMetadata', Object.getPrototypeOf(observer.storage));
    await observer.login();
  });

  afterAll(async () => {
    await observer?.logout().catch(() => {});
    for (const tab of [alice, bob]) tab?.page.close();
    await run.stop();
  });

  it('Login in two tabs: each subscribes the auction channel and shows the auction section', async () => {
    alice = await logInTab(run, openBiddingTab(), { appid: APP_ID, uid: 'alice' });
    bob = await logInTab(run, openBiddingTab(), { appid: APP_ID, uid: 'bob' });
    for (const { page } of [alice, bob]) {
      await unlessAppFails(vi.waitUntil(() => page.text('login') === 'Logout'));
      expect(page.external).toEqual(['https://cdn.jsdelivr.net/npm/chart.js']);
      expect(page.alerts).toEqual([]);
      expect(page.shown('sectionAuction')).toBe(true);
    }
    expect(await run.server.control.onlineUsers(CHANNEL, 'MESSAGE')).toEqual(['alice', 'bob']);
  });

  it('R-ST10 R-ST20: Create New Auction writes the item into the channel metadata, with its author', async () => {
    alice.page.type('new-auction-name', 'Vintage map');
    alice.page.type('new-starting-price', '200');
    alice.page.click('createAuctionBtn');
    await unlessAppFails(vi.waitUntil(() => alice.page.text('bid-status') === 'New auction created!'));
    const { metadata, majorRevision } = await observer.storage.getChannelMetadata(CHANNEL, 'MESSAGE');
    expect(majorRevision).toBeGreaterThan(0);
    expect(metadata).toMatchObject({
      auctionName: { value: 'Vintage map', authorUid: 'alice' },
      startingPrice: { value: '200' },
      currentBid: { value: '200' },
      highestBidder: { value: '' },
    });
    expect(alice.page.text('bid-amount')).toBe('$200');
  });

  it('R-ST11 D-ST4: two tabs bid at once with the majorRevision they read: one bid is taken, the other is refused with -12014 and changes nothing', async () => {
    if (run.realSdk) {
      // Real-SDK mode: each tab has its own copy of the SDK (its script tag), so its
      // storage calls are watched on its own prototype, into the same queue.
      for (const tab of [alice, bob]) {
        watchCalls('updateChannelMetadata', Object.getPrototypeOf(tab.client.storage), updates);
      }
    }
    const before = await observer.storage.getChannelMetadata(CHANNEL, 'MESSAGE');
    alice.page.type('bid-input', '250');
    bob.page.type('bid-input', '260');
    alice.page.click('placeBidBtn');
    bob.page.click('placeBidBtn');
    const writes = [await unlessAppFails(updates.next()), await unlessAppFails(updates.next())];
    for (const write of writes) expect(write.args[3].majorRevision).toBe(before.majorRevision);
    const outcomes = await Promise.allSettled(writes.map((write) => write.result));
    await settle();
    const taken = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(taken).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toMatchObject({
      code: -12014,
      reason: 'Storage operation with outdated revision or the key does not exist.',
      operation: 'updateChannelMetadata',
    });
    const winner = writes[outcomes.indexOf(taken[0])];
    const loser = writes[outcomes.indexOf(refused[0])];
    const tabOf = (write) => [alice, bob].find((tab) => tab.client.storage === write.client);
    await unlessAppFails(
      vi.waitUntil(() => tabOf(winner).page.text('bid-status') === 'Bid placed successfully!'),
    );
    await unlessAppFails(
      vi.waitUntil(() => tabOf(loser).page.text('bid-status').startsWith('Failed to place bid: ')),
    );
    expect(tabOf(loser).page.text('bid-status')).toContain('-12014');

    const after = await observer.storage.getChannelMetadata(CHANNEL, 'MESSAGE');
    const [winningBid, winningUser] = winner.args[2].map((item) => item.value);
    expect(after.metadata.currentBid.value).toBe(winningBid);
    expect(after.metadata.highestBidder.value).toBe(winningUser);
    expect(after.majorRevision).toBeGreaterThan(before.majorRevision);
  });
});
