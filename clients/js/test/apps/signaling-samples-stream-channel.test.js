// Agora's own reference app runs its topic flow unchanged on the emulator: the "Stream
// channels" sample of AgoraIO/signaling-sdk-samples-web at 7fc59ae (upstream.js says where
// the files come from; none of them is in this repository). The user types a user id and
// logs in, joins a stream channel (`createStreamChannel`, `join({token, withPresence})`),
// joins a topic and sends topic messages (`joinTopic`, `publishTopicMessage`), each step
// written into the page's log; `message` events are logged as "Received message from
// <publisher>: <message>".
//
// The app runs as Vite serves it: src/stream_channel/index.html's body, its module script,
// `load`, typing and clicks. Only the environment is stubbed: the app's settings
// (config.json, which its README says to fill in: `appId` is set on the imported object
// before the app reads it, the file's bytes stay upstream's; `serverUrl` stays empty, so
// the app uses its `token` and `rtcToken`, both empty, as an app without a certificate
// does), and the emulator's address. config.json keeps `useStringUserId: false`, so the
// user ids are numbers (R-C1). A second user ("2002", this package's client) joins the
// channel and subscribes to the app's topic. In real-SDK mode the second user is a real
// SDK client too: the app's topics run over the server's RTC relay, which serves real-SDK
// clients only (docs/real-sdk.md, D-RS17).

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RTMClient, RTMStreamChannel } from '../../index.js';
import { appRun, eventQueue, nextLogin, settle } from './harness.js';
import { openModulePage } from './module-page.js';
import { AgoraRTM, prototypesOf, REAL_SDK } from './sdk-mode.js';
import { fillConfig, sampleLog as log } from './signaling-samples.js';
import { SIGNALING_SDK_SAMPLES as APP } from './upstream.js';

const APP_ID = 'SignalingStreamSampleApp00000000';
const CHANNEL = 'stage';
const TOPIC = 'scores';
const UID = '1001';
const PEER = '2002';

const run = appRun(APP, { appId: APP_ID, part: 'Stream channels' });
const { app, calls, unlessAppFails } = run;

/** Types `value` into the input `id` and clicks the button `button`. */
function typeAndClick(id, value, button) {
  document.getElementById(id).value = value;
  document.getElementById(button).click();
}

describe.skipIf(!app.available)(run.title, () => {
  let appClient;
  let appMessages;
  let appPresence;
  let peer;
  let peerChannel;
  let peerMessages;
  let peerTopics;
  const appLogs = [];

  beforeAll(async () => {
    await run.start();
    vi.spyOn(console, 'log').mockImplementation((...args) => appLogs.push(args));
    run.watch(['login']);
    run.watch(
      ['join', 'leave', 'joinTopic', 'leaveTopic', 'publishTopicMessage'],
      REAL_SDK ? prototypesOf().stream : RTMStreamChannel.prototype,
    );

    // config.json as its README says to fill it in, on the object the app imports.
    await fillConfig(app.dir, { appId: APP_ID });
    const indexHtml = openModulePage(app.dir, 'src/stream_channel/index.html');
    expect(indexHtml.scripts).toEqual(['stream_channel.js']);
    await indexHtml.run();
    window.dispatchEvent(new Event('load'));
    await vi.waitUntil(() => document.querySelector('#projectSelector nav.navbar'));
  });

  afterAll(async () => {
    await peer?.logout();
    await run.stop();
  });

  it('R-C1 R-C3: LOGIN with a typed numeric user id logs in (token from config.json, empty)', async () => {
    typeAndClick('uid', UID, 'login');
    const login = await nextLogin(run, { events: ['message', 'presence'] });
    appClient = login.client;
    ({ message: appMessages, presence: appPresence } = login.events);
    expect(login.result).toEqual({ timestamp: expect.any(Number) });
    expect(login.call.args).toEqual([]);
    expect(document.getElementById('login').textContent).toBe('LOGOUT');
  });

  it('R-E1: Join creates and joins the stream channel with presence; the SNAPSHOT is logged', async () => {
    typeAndClick('streamChannelName', CHANNEL, 'streamJoinAndLeave');
    const join = await unlessAppFails(calls.join.next());
    expect(join.args).toEqual([{ token: '', withPresence: true }]);
    // this package's stream channel names its channel; the real SDK's keeps it inside
    if (!REAL_SDK) expect(join.client.channelName).toBe(CHANNEL);
    await join.result;
    await unlessAppFails(appPresence.next((e) => e.eventType === 'SNAPSHOT'));
    await settle();
    expect(document.getElementById('streamJoinAndLeave').textContent).toBe('Leave');
    expect(log()).toEqual([`User ${UID} joined channel ${CHANNEL}`]);
  });

  it('R-M13 R-M20: Join topic joins it and logs it; a user joining the channel later gets a topic SNAPSHOT naming the app as its publisher', async () => {
    typeAndClick('topicName', TOPIC, 'joinTopic');
    const joinTopic = await unlessAppFails(calls.joinTopic.next());
    expect(joinTopic.args).toEqual([TOPIC]);
    expect(await joinTopic.result).toEqual({ timestamp: 0, topicName: TOPIC });
    await settle();
    expect(document.getElementById('joinTopic').textContent).toBe('Leave topic');
    expect(log().at(-1)).toBe(`Joined the topic: ${TOPIC}`);

    // real-SDK mode: a real SDK client too (the relay serves real-SDK clients, D-RS17)
    peer = REAL_SDK
      ? new AgoraRTM.RTM(APP_ID, PEER, { logLevel: 'none', logUpload: false })
      : new RTMClient(APP_ID, PEER, { logLevel: 'none' });
    peerMessages = eventQueue(peer, 'message');
    peerTopics = eventQueue(peer, 'topic');
    await peer.login();
    peerChannel = peer.createStreamChannel(CHANNEL);
    await peerChannel.join({ withPresence: true });
    const snapshot = await peerTopics.next();
    expect(snapshot).toMatchObject({
      eventType: 'SNAPSHOT',
      channelName: CHANNEL,
      publisher: '',
      topicInfos: [
        {
          topicName: TOPIC,
          publishers: [{ publisherUserId: UID, publisherMeta: '' }],
          totalPublisher: 1,
        },
      ],
      totalTopics: 1,
    });
    await unlessAppFails(appPresence.next((e) => e.eventType === 'REMOTE_JOIN'));
    await settle();
    expect(log().at(-1)).toBe(`Presence event: REMOTE_JOIN, User: ${PEER}`);
  });

  it('R-M15 R-M18 R-M19: Send publishes to the topic and logs it; the user that subscribed the app in it receives the message', async () => {
    expect(await peerChannel.subscribeTopic(TOPIC, { users: [UID] })).toMatchObject({
      succeedUsers: [UID],
      failedUsers: [],
    });
    typeAndClick('topicMessage', 'goal for the home team', 'sendTopicMessage');
    const publish = await unlessAppFails(calls.publishTopicMessage.next());
    expect(publish.args).toEqual([TOPIC, 'goal for the home team']);
    expect(await publish.result).toEqual({ timestamp: 0, topicName: TOPIC });
    const heard = await unlessAppFails(peerMessages.next());
    await settle();
    expect(heard).toEqual({
      channelName: CHANNEL,
      channelType: 'STREAM',
      topicName: TOPIC,
      message: 'goal for the home team',
      publisher: UID,
      messageType: 'STRING',
      customType: '',
      timestamp: expect.any(Number),
    });
    expect(log().at(-1)).toBe(`Topic: ${TOPIC},  Message:goal for the home team`);
  });

  it('R-M9 R-M19: the app hears no topic message of a publisher it never subscribed, only the USER message sent after it', async () => {
    await peerChannel.joinTopic(TOPIC);
    await peerChannel.publishTopicMessage(TOPIC, 'not for the app');
    await peer.publish(UID, 'a direct line', { channelType: 'USER' });
    const next = await unlessAppFails(appMessages.next());
    await settle();
    expect(next).toMatchObject({ channelType: 'USER', message: 'a direct line', publisher: PEER });
    expect(appMessages.seen).toHaveLength(1);
    expect(log().at(-1)).toBe(`Received message from ${PEER}: a direct line`);
  });

  it('R-M14 R-M20 R-M21: Leave topic, then Leave: both logged; the other user sees the app\'s topic REMOTE_LEAVE and hears nothing more from it', async () => {
    document.getElementById('joinTopic').click();
    const leaveTopic = await unlessAppFails(calls.leaveTopic.next());
    expect(await leaveTopic.result).toEqual({ timestamp: 0, topicName: TOPIC });
    const left = await peerTopics.next();
    await settle();
    expect(left).toMatchObject({
      eventType: 'REMOTE_LEAVE',
      publisher: UID,
      topicInfos: [{ topicName: TOPIC, publishers: [{ publisherUserId: UID }] }],
    });
    expect(log().at(-1)).toBe(`Left the topic: ${TOPIC}`);
    expect(document.getElementById('joinTopic').textContent).toBe('Join topic');

    document.getElementById('streamJoinAndLeave').click();
    const leave = await unlessAppFails(calls.leave.next());
    await leave.result;
    await settle();
    expect(log().at(-1)).toBe(`Left the channel: ${CHANNEL}`);
    expect(document.getElementById('streamJoinAndLeave').textContent).toBe('Join');
    expect(peerMessages.seen).toHaveLength(1);
    const errors = appLogs.filter((args) => args[0] instanceof Error);
    expect(errors).toEqual([]);
  });
});
