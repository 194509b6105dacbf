// Type fidelity: the client's results, events and errors are assignable to the real
// agora-rtm-sdk@2.3.0 types, and its methods to the SDK's method signatures.
// `npm test` runs `tsc --noEmit -p .` on this file; nothing here is executed.

import type * as SDK from 'agora-rtm-sdk';
import type { RTMEvents as SDKEvents } from 'agora-rtm-sdk';
import AgoraRTM, {
  EmulatorControl,
  RTMBaseError,
  RtmInvalidArgumentError,
  type RTMClient,
  type RTMEvents,
} from 'rtm-emulator-client';
import { startEmulator } from 'rtm-emulator-client/node';

const APP_ID = '0123456789abcdef0123456789abcdef';

// The SDK's own spelling works: `new AgoraRTM.RTM(appId, userId, config)`.
const config: SDK.RTMConfig = { presenceTimeout: 20, heartbeatInterval: 5, logLevel: 'none' };
const rtm: RTMClient = new AgoraRTM.RTM(APP_ID, 'me', { ...config, emulatorUrl: 'ws://127.0.0.1:1' });

// Methods keep the SDK's signatures (same parameters, same promise types).
const presence: Pick<
  SDK.RTMPresence,
  'whoNow' | 'getOnlineUsers' | 'whereNow' | 'getUserChannels' | 'setState' | 'getState' | 'removeState'
> = rtm.presence;
const client: Pick<
  SDK.RTMClient,
  'login' | 'logout' | 'subscribe' | 'unsubscribe' | 'addEventListener' | 'removeEventListener'
> = rtm;
const stream: Pick<SDK.RTMStreamChannel, 'join' | 'leave'> = rtm.createStreamChannel('stage');
void presence;
void client;
void stream;

// The EventEmitter surface of the SDK's client (R-C5).
const emitter: Pick<
  SDK.RTMClient,
  | 'emit'
  | 'listenerCount'
  | 'eventNames'
  | 'getMaxListeners'
> = rtm;
void emitter;
rtm.on('anything', () => {}).once('x', () => {}).off('x', () => {}).removeAllListeners();
const fired: boolean = rtm.emit('x', 1, 2);
void fired;

// The default export's SDK members have the SDK's types.
const sdkStatics: Pick<SDK.IAgoraRTM, 'BUILD' | 'VERSION' | 'setArea'> = AgoraRTM;
const sdkError: typeof SDK.RTMBaseError = AgoraRTM.RTMBaseError;
void [sdkStatics, sdkError];
AgoraRTM.setParameter('IGNORE_DUPLICATE_USER_ID_ERR', true);
const message: 1 = AgoraRTM.constantsType.ChannelTypeEnum.MESSAGE;
const sdkMessage: SDK.ConstantsType.ChannelTypeEnum = AgoraRTM.constantsType.ChannelTypeEnum.MESSAGE;
const loginText: string = AgoraRTM.constantsType.LinkStateChangeReasonDescription.LOGIN;
void [message, sdkMessage, loginText];

export async function responses(): Promise<void> {
  const login: SDK.LoginResponse = await rtm.login({ token: 't' });
  const sub: SDK.SubscribeResponse = await rtm.subscribe('room', { withPresence: true, beQuiet: false });
  const who: SDK.WhoNowResponse = await rtm.presence.whoNow('room', 'MESSAGE', {
    includedUserId: true,
    includedState: true,
  });
  const online: SDK.GetOnlineUsersResponse = await rtm.presence.getOnlineUsers('room', 'MESSAGE');
  const occupant: SDK.OccupancyDetail = who.occupants[0];
  const where: SDK.WhereNowResponse = await rtm.presence.whereNow('Tony');
  const channels: SDK.GetUserChannelsResponse = await rtm.presence.getUserChannels('Tony');
  const detail: SDK.ChannelDetail = where.channels[0];
  const set: SDK.SetStateResponse = await rtm.presence.setState('room', 'MESSAGE', { mood: 'pumped' });
  const got: SDK.GetStateResponse = await rtm.presence.getState('Tony', 'room', 'MESSAGE');
  const states: SDK.StateDetail = got.states;
  const removed: SDK.RemoveStateResponse = await rtm.presence.removeState('room', 'MESSAGE', {
    states: ['mood'],
  });
  const joined: SDK.JoinChannelResponse = await rtm.createStreamChannel('stage').join({ withPresence: true });
  const left: SDK.LeaveChannelResponse = await rtm.createStreamChannel('stage').leave();
  const unsub: SDK.UnsubscribeResponse = await rtm.unsubscribe('room');
  const logout: SDK.LogoutResponse = await rtm.logout();
  void [login, sub, who, online, occupant, where, channels, detail, set, got, states, removed];
  void [joined, left, unsub, logout];
}

// Events: the listener gets objects of the SDK's event types.
rtm.addEventListener('presence', (event) => {
  const sdkEvent: SDKEvents.PresenceEvent = event;
  const kind: SDKEvents.PresenceEvent['eventType'] = event.eventType;
  const interval: SDKEvents.IntervalDetail | null = event.interval;
  const snapshot: SDKEvents.UserState[] | null = event.snapshot;
  void [sdkEvent, kind, interval, snapshot];
});
rtm.addEventListener('linkState', (event) => {
  const sdkEvent: SDKEvents.LinkStateEvent = event;
  const service: SDK.ServiceType = event.serviceType;
  void [sdkEvent, service];
});
// A listener written against the SDK's event map is accepted as is.
const sdkPresenceListener: SDKEvents.RTMClientEventMap['presence'] = (e) => void e.publisher;
const sdkLinkListener: SDKEvents.RTMClientEventMap['linkState'] = (e) => void e.isResumed;
rtm.addEventListener('presence', sdkPresenceListener);
rtm.addEventListener('linkState', sdkLinkListener);
const ourListener: RTMEvents.RTMClientEventMap['presence'] = (e: SDKEvents.PresenceEvent) => void e;
const ourLinkListener: RTMEvents.RTMClientEventMap['linkState'] = (e: SDKEvents.LinkStateEvent) => void e;
void [ourListener, ourLinkListener];

// Messaging (issue 16): publish, history, the topic calls and the message / topic events
// keep the SDK's signatures and shapes.
const messaging: Pick<SDK.RTMClient, 'publish' | 'history'> = rtm;
const history: Pick<SDK.RTMHistory, 'getMessages'> = rtm.history;
const topics: Pick<
  SDK.RTMStreamChannel,
  'joinTopic' | 'leaveTopic' | 'subscribeTopic' | 'unsubscribeTopic' | 'publishTopicMessage' | 'getSubscribedUserList'
> = rtm.createStreamChannel('stage');
void [messaging, history, topics];

export async function messages(): Promise<void> {
  const pub: SDK.PublishResponse = await rtm.publish('room', 'hello', { customType: 'chat', storeInHistory: true });
  const dm: SDK.PublishResponse = await rtm.publish('bob', new Uint8Array([1, 2]), { channelType: 'USER' });
  const page: SDK.GetMessagesResponse = await rtm.history.getMessages('room', 'MESSAGE', { messageCount: 10 });
  const entry: SDK.HistoryMessage = page.messageList[0];
  const body: string | Uint8Array = entry.message;
  const stage = rtm.createStreamChannel('stage');
  const joined: SDK.JoinTopicResponse = await stage.joinTopic('t1', { meta: 'ignored' });
  const sub: SDK.SubscribeTopicResponse = await stage.subscribeTopic('t1', { users: ['bob'] });
  const failed: SDK.SubscribedFailedReason[] = sub.failedDetails;
  const sent: SDK.PublishTopicMessageResponse = await stage.publishTopicMessage('t1', 'x', { customType: 'c' });
  const list: SDK.GetSubscribedUserListResponse = stage.getSubscribedUserList('t1');
  const unsub: SDK.UnsubscribeTopicResponse = await stage.unsubscribeTopic('t1', { users: ['bob'] });
  const left: SDK.LeaveTopicResponse = await stage.leaveTopic('t1');
  void [pub, dm, page, entry, body, joined, sub, failed, sent, list, unsub, left];
}

rtm.addEventListener('message', (event) => {
  const sdkEvent: SDKEvents.MessageEvent = event;
  const payload: string | Uint8Array = event.message;
  void [sdkEvent, payload];
});
rtm.addEventListener('topic', (event) => {
  const sdkEvent: SDKEvents.TopicEvent = event;
  const publishers: SDKEvents.PublishInfo[] = event.topicInfos[0].publishers;
  void [sdkEvent, publishers];
});
const sdkMessageListener: SDKEvents.RTMClientEventMap['message'] = (e) => void e.customType;
const sdkTopicListener: SDKEvents.RTMClientEventMap['topic'] = (e) => void e.totalTopics;
rtm.addEventListener('message', sdkMessageListener);
rtm.addEventListener('topic', sdkTopicListener);
const ourMessageListener: RTMEvents.RTMClientEventMap['message'] = (e: SDKEvents.MessageEvent) => void e;
const ourTopicListener: RTMEvents.RTMClientEventMap['topic'] = (e: SDKEvents.TopicEvent) => void e;
void [ourMessageListener, ourTopicListener];

// Failures: the rejection is the SDK's RTMBaseError shape.
export async function failures(): Promise<void> {
  try {
    await rtm.presence.whoNow('chat_room', 'MESSAGE', { page: 'yourBookMark' });
  } catch (status) {
    const ours = status as RTMBaseError;
    const info: SDK.ErrorInfo = ours;
    const asSdkError: Pick<
      SDK.RTMBaseError,
      'error' | 'operation' | 'errorCode' | 'reason' | 'message' | 'name' | 'code' | 'serverCode'
    > = ours;
    const detail: string | undefined = ours.detail;
    void [info, asSdkError, detail];
  }
  // The SDK's constructor signature.
  const made = new RTMBaseError('whoNow', ['bad %s', 'page'], { code: -13003, serverCode: 1 });
  const made2 = new RtmInvalidArgumentError('whoNow', 'x', -13003);
  const info: SDK.ErrorInfo = made;
  const sdkCtor: typeof SDK.RTMBaseError = RTMBaseError;
  void [info, made2, sdkCtor];
}

// The control API and the server launcher are typed too.
export async function control(): Promise<void> {
  const server = await startEmulator({ args: ['--announce-max', '8'], appId: APP_ID });
  const ctl: EmulatorControl = server.control;
  await ctl.reset({ announceMax: 8, interval: 10 });
  const now: number = await ctl.now();
  await ctl.advance(2);
  const users: string[] = await ctl.onlineUsers('room', 'MESSAGE');
  const where: SDK.ChannelDetail[] = await ctl.userChannels('bob');
  const state: SDK.StateDetail = await ctl.stateOf('bob', 'room', 'MESSAGE');
  const entries = await ctl.journal({ recipient: 'alice', eventType: 'REMOTE_JOIN' });
  const entry = entries[0];
  if (entry.kind === 'presence') {
    const presenceEvent: SDKEvents.PresenceEvent = entry.event;
    const seq: number = entry.event.seq;
    void [presenceEvent, seq];
  } else if (entry.kind === 'message') {
    const body: string | { $: 'bytes'; base64: string } = entry.event.message;
    void body;
  }
  const app: string | undefined = ctl.appId;
  const defaultApp: string = (await ctl.info()).defaultAppId;
  void defaultApp;
  void [now, users, where, state, app];
  await server.stop();
}

// Storage (issue 17): rtm.storage keeps the SDK's signatures, results and event shape.
const storage: Pick<
  SDK.RTMStorage,
  | 'setChannelMetadata'
  | 'updateChannelMetadata'
  | 'removeChannelMetadata'
  | 'getChannelMetadata'
  | 'setUserMetadata'
  | 'updateUserMetadata'
  | 'removeUserMetadata'
  | 'getUserMetadata'
  | 'subscribeUserMetadata'
  | 'unsubscribeUserMetadata'
> = rtm.storage;
void storage;

export async function metadata(): Promise<void> {
  const set: SDK.SetChannelMetadataResponse = await rtm.storage.setChannelMetadata(
    'room',
    'MESSAGE',
    [{ key: 'k', value: 'v', revision: -1 }],
    { majorRevision: 0, addTimeStamp: true, addUserId: true, lockName: 'lk' },
  );
  const got: SDK.GetChannelMetadataResponse = await rtm.storage.getChannelMetadata('room', 'STREAM');
  const item: SDK.MetaDataDetail = got.metadata.k;
  const removed: SDK.RemoveUserMetadataResponse = await rtm.storage.removeUserMetadata({ userId: 'bob', data: [] });
  const user: SDK.GetUserMetadataResponse = await rtm.storage.getUserMetadata({ userId: 'bob' });
  const sub: SDK.SubscribeUserMetaResponse = await rtm.storage.subscribeUserMetadata('bob');
  void [set, got, item, removed, user, sub];
}

rtm.addEventListener('storage', (event) => {
  const sdkEvent: SDKEvents.StorageEvent = event;
  const total: number = event.data.totalCount;
  void [sdkEvent, total];
});

// Locks (issue 17): rtm.lock keeps the SDK's signatures, results and event shape.
const lock: Pick<
  SDK.RTMLock,
  'setLock' | 'removeLock' | 'acquireLock' | 'releaseLock' | 'revokeLock' | 'getLock'
> = rtm.lock;
void lock;

export async function locks(): Promise<void> {
  const set: SDK.SetLockResponse = await rtm.lock.setLock('room', 'MESSAGE', 'L', { ttl: 30 });
  const got: SDK.AcquireLockResponse = await rtm.lock.acquireLock('room', 'STREAM', 'L', { retry: true });
  const list: SDK.GetLockResponse = await rtm.lock.getLock('room', 'MESSAGE');
  const detail: SDK.LockDetail = list.lockDetails[0];
  const revoked: SDK.RevokeLockResponse = await rtm.lock.revokeLock('room', 'MESSAGE', 'L', 'bob');
  void [set, got, list, detail, revoked];
}

rtm.addEventListener('lock', (event) => {
  const sdkEvent: SDKEvents.LockEvent = event;
  const owners: string[] = event.snapshot.map((d) => d.owner);
  void [sdkEvent, owners];
});
