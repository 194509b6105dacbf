// Types of rtm-emulator-client: the presence and messaging subset of agora-rtm-sdk 2.3.0's API, with
// the same JSON shapes (checked against the real SDK's typings by types-check.ts).
// This file types `require('rtm-emulator-client')` (index.cjs); index.d.ts re-exports it
// for `import` (index.js).

export type ChannelType = 'MESSAGE' | 'STREAM' | 'USER';
export type PresenceEventType =
  | 'NONE'
  | 'SNAPSHOT'
  | 'INTERVAL'
  | 'REMOTE_JOIN'
  | 'REMOTE_LEAVE'
  | 'REMOTE_TIMEOUT'
  | 'REMOTE_STATE_CHANGED'
  | 'ERROR_OUT_OF_SERVICE';
export type LinkState = 'IDLE' | 'CONNECTING' | 'CONNECTED' | 'DISCONNECTED' | 'SUSPENDED' | 'FAILED';
export type LinkOperation =
  | 'LOGIN'
  | 'LOGOUT'
  | 'JOIN'
  | 'LEAVE'
  | 'SERVER_REJECT'
  | 'AUTO_RECONNECT'
  | 'RECONNECTED'
  | 'HEARTBEAT_TIMEOUT'
  | 'SERVER_TIMEOUT'
  | 'NETWORK_CHANGE';
/** The SDK's reason codes of link-state events (the emulator sends a subset, R-T4). */
export type LinkStateChangeReasonCode =
  | 'UNKNOWN'
  | 'LOGIN'
  | 'LOGIN_SUCCESS'
  | 'LOGIN_TIMEOUT'
  | 'LOGIN_NOT_AUTHORIZED'
  | 'LOGIN_REJECTED'
  | 'RELOGIN'
  | 'LOGOUT'
  | 'AUTO_RECONNECT'
  | 'RECONNECT_TIMEOUT'
  | 'RECONNECT_SUCCESS'
  | 'JOIN'
  | 'JOIN_SUCCESS'
  | 'JOIN_FAILED'
  | 'REJOIN'
  | 'LEAVE'
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'INCONSISTENT_APP_ID'
  | 'INVALID_CHANNEL_NAME'
  | 'INVALID_USER_ID'
  | 'NOT_INITIALIZED'
  | 'RTM_SERVICE_NOT_CONNECTED'
  | 'CHANNEL_INSTANCE_EXCEED_LIMITATION'
  | 'OPERATION_RATE_EXCEED_LIMITATION'
  | 'CHANNEL_IN_ERROR_STATE'
  | 'PRESENCE_NOT_CONNECTED'
  | 'SAME_UID_LOGIN'
  | 'KICKED_OUT_BY_SERVER'
  | 'KEEP_ALIVE_TIMEOUT'
  | 'CONNECTION_ERROR'
  | 'PRESENCE_NOT_READY'
  | 'NETWORK_CHANGE'
  | 'SERVICE_NOT_SUPPORTED'
  | 'STREAM_CHANNEL_NOT_AVAILABLE'
  | 'STORAGE_NOT_AVAILABLE'
  | 'LOCK_NOT_AVAILABLE'
  | 'LOGIN_TOO_FREQUENT';
export type ServiceType = 'MESSAGE' | 'STREAM';
export type AreaCode = 'GLOBAL' | 'INDIA' | 'JAPAN' | 'ASIA' | 'EUROPE' | 'CHINA' | 'NORTH_AMERICA';

/** A user's temporary state (the SDK types values as strings; any JSON value is accepted, R-S1). */
export interface StateDetail {
  [key: string]: string;
}

export interface BaseResponse {
  timestamp: number;
}
export interface LoginResponse extends BaseResponse {}
export interface LogoutResponse extends BaseResponse {}
/** renewToken's result (R-TK3: `{timestamp: 0}`). */
export interface RenewTokenResponse extends BaseResponse {}
export interface RenewTokenOptions {
  channelName?: string;
}
export type TokenEventType = 'WILL_EXPIRE' | 'READ_PERMISSION_REVOKED';
/** The `token` event (agora-rtm.d.ts 2.3.0 `TokenEvent`, R-TK10). */
export interface TokenEvent {
  eventType: TokenEventType;
  reason: string;
  affectedResources: {
    messageChannels: string[];
  };
  timestamp: number;
}
export interface SubscribeResponse extends BaseResponse {
  channelName: string;
}
export interface UnsubscribeResponse extends BaseResponse {
  channelName: string;
}
export interface JoinChannelResponse extends BaseResponse {}
export interface LeaveChannelResponse extends BaseResponse {}

export interface OccupancyDetail {
  states: StateDetail;
  userId: string;
  statesCount: number;
}
export interface WhoNowResponse extends BaseResponse {
  totalOccupancy: number;
  occupants: OccupancyDetail[];
  nextPage: string;
}
export interface GetOnlineUsersResponse extends WhoNowResponse {}
export interface ChannelDetail {
  channelName: string;
  channelType: ChannelType;
}
export interface WhereNowResponse extends BaseResponse {
  channels: ChannelDetail[];
  totalChannel: number;
}
export interface GetUserChannelsResponse extends WhereNowResponse {}
export interface SetStateResponse extends BaseResponse {}
export interface GetStateResponse extends OccupancyDetail, BaseResponse {}
export interface RemoveStateResponse extends BaseResponse {}

export interface WhoNowOptions {
  includedUserId?: boolean;
  includedState?: boolean;
  page?: string;
}
export interface GetOnlineUsersOptions extends WhoNowOptions {}
export interface RemoveStateOptions {
  states?: string[];
}
export interface SubscribeOptions {
  withMessage?: boolean;
  withPresence?: boolean;
  beQuiet?: boolean;
  withMetadata?: boolean;
  withLock?: boolean;
}
export interface JoinOptions {
  token?: string;
  withPresence?: boolean;
  beQuiet?: boolean;
  withMetadata?: boolean;
  withLock?: boolean;
}
export interface LoginOptions {
  token?: string;
}

// ------------------------------------------------------------------ messaging

export interface RTMOperationResponse extends BaseResponse {
  channelName: string;
}
export interface PublishResponse extends RTMOperationResponse {}
export interface PublishOptions {
  customType?: string;
  channelType?: ChannelType;
  storeInHistory?: boolean;
}
export interface GetHistoryMessageOptions {
  messageCount?: number;
  start?: number;
  end?: number;
}
export interface HistoryMessage {
  message: string | Uint8Array;
  messageType: 'STRING' | 'BINARY';
  customType: string;
  publisher: string;
  timestamp: number;
}
export type HistoryChannelType = Exclude<ChannelType, 'STREAM'>;
export interface GetMessagesResponse extends BaseResponse {
  messageList: HistoryMessage[];
  count: number;
  newStart: number;
}
export interface StreamChannelOperationResponse extends BaseResponse {
  topicName: string;
}
export interface JoinTopicResponse extends StreamChannelOperationResponse {}
export interface LeaveTopicResponse extends JoinTopicResponse {}
export interface PublishTopicMessageResponse extends StreamChannelOperationResponse {}
/** `failedDetails[].errorCode`: 4 for an invalid user id, 20003 past 64 users (R-M15). */
export type SubscribeTopicErrorCode = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 20001 | 20003 | 20004;
export interface SubscribedFailedReason extends StreamChannelOperationResponse {
  user: string;
  errorCode?: SubscribeTopicErrorCode;
  reason?: string;
}
export interface SubscribeTopicResponse extends StreamChannelOperationResponse {
  succeedUsers: string[];
  failedUsers: string[];
  failedDetails: SubscribedFailedReason[];
}
export interface UnsubscribeTopicResponse extends BaseResponse {}
export interface GetSubscribedUserListResponse extends StreamChannelOperationResponse {
  subscribed: string[];
}
export interface joinTopicOptions {
  /** Discarded, as the SDK discards it (every `publisherMeta` is ""). */
  meta?: any;
}
export interface PublishTopicMessageOptions {
  customType?: string;
}
export interface SubscribeTopicOptions {
  users?: string[];
}
export interface UnsubscribeTopicOptions {
  users?: string[];
}
export type TopicEventType = 'NONE' | 'REMOTE_JOIN' | 'REMOTE_LEAVE' | 'SNAPSHOT';

/**
 * The SDK's RTMConfig keys (only presenceTimeout, heartbeatInterval, useStringUserId and
 * logLevel matter here; unknown keys are accepted and ignored, R-C3), plus `emulatorUrl`.
 */
export interface RTMConfig {
  encryptionMode?: 'NONE' | 'AES_128_GCM' | 'AES_256_GCM';
  salt?: Uint8Array;
  cipherKey?: string;
  presenceTimeout?: number;
  logUpload?: boolean;
  cloudProxy?: boolean;
  useStringUserId?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'none';
  heartbeatInterval?: number;
  privateConfig?: {
    serviceType?: ServiceType[];
    accessPointHosts?: string[];
    eventUploadHosts?: string[];
    logUploadHosts?: string[];
    originDomains?: string[];
    domainMode?: 1 | 2;
  };
  token?: string;
  /** The emulator's URL (`ws://127.0.0.1:PORT`); default $RTM_EMULATOR_URL / globalThis.RTM_EMULATOR_URL. */
  emulatorUrl?: string;
}

/** The SDK's ErrorInfo. */
export interface ErrorInfo {
  error: boolean;
  reason: string;
  operation: string;
  errorCode: number;
}

/** The third argument of the SDK's RTMBaseError constructor, in its object form. */
export interface IErrorInfo {
  code?: number;
  serverCode?: number;
  originalError?: any;
}

/**
 * What every failed call rejects with: the SDK's RTMBaseError (an `Error`, `name` the SDK
 * class, `message` "Error Code C - reason").
 */
export class RTMBaseError extends Error implements ErrorInfo {
  originalError?: Error;
  code?: number;
  serverCode?: number;
  error: boolean;
  reason: string;
  operation: string;
  errorCode: number;
  /** Emulator extra (not enumerable): what was wrong, naming the value. */
  detail?: string;
  constructor(
    operation?: string,
    args?: string | readonly [string, ...unknown[]],
    errorInfo?: IErrorInfo | string | number,
  );
}
export class RtmInvalidArgumentError extends RTMBaseError {}
export class RtmInvalidStatusError extends RTMBaseError {}
export class RtmLimitExceededError extends RTMBaseError {}
export class RtmUnavailableError extends RTMBaseError {
  statusCode?: number;
}
export class RtmTimeoutError extends RTMBaseError {}
export class RtmInvokeTooOftenError extends RTMBaseError {}
export class RtmUnauthenticatedError extends RTMBaseError {}
export class RtmUnknownError extends RTMBaseError {}

export namespace RTMEvents {
  interface UserState {
    userId: string;
    states: StateDetail;
    statesCount: number;
  }
  interface UserList {
    users: string[];
    userCount: number;
  }
  interface IntervalDetail {
    join: UserList;
    leave: UserList;
    timeout: UserList;
    userStateList: UserState[];
    totalOccupancy: number;
  }
  interface PresenceEvent {
    eventType: PresenceEventType;
    channelType: ChannelType;
    channelName: string;
    publisher: string;
    stateChanged: StateDetail;
    interval: IntervalDetail | null;
    snapshot: UserState[] | null;
    timestamp: number;
  }
  interface LinkStateEvent {
    currentState: LinkState;
    previousState: LinkState;
    serviceType: ServiceType;
    operation: LinkOperation;
    reason: string;
    reasonCode: LinkStateChangeReasonCode;
    affectedChannels: string[];
    unrestoredChannels: string[];
    isResumed: boolean;
    timestamp: number;
  }
  /** A channel, user or topic message (R-M7, R-M19); `message` is a Uint8Array when binary. */
  interface MessageEvent {
    channelType: ChannelType;
    channelName: string;
    topicName: string;
    messageType: 'STRING' | 'BINARY';
    customType: string;
    message: string | Uint8Array;
    publisher: string;
    /** Declared by the SDK, never set by its 2.3.0 runtime (nor here). */
    publishTime?: number;
    timestamp: number;
  }
  interface PublishInfo {
    publisherUserId: string;
    publisherMeta: string;
  }
  interface topicDetail {
    topicName: string;
    publishers: PublishInfo[];
    totalPublisher: number;
  }
  /** A stream channel's topic event (R-M20). */
  interface TopicEvent {
    eventType: TopicEventType;
    channelName: string;
    publisher: string;
    topicInfos: topicDetail[];
    totalTopics: number;
    timestamp: number;
  }
  interface RTMClientEventMap {
    presence: (presenceData: PresenceEvent) => void;
    linkState: (linkState: LinkStateEvent) => void;
    message: (message: MessageEvent) => void;
    storage: (storageData: StorageEvent) => void;
    lock: (lockInfo: LockEvent) => void;
    topic: (topicEvent: TopicEvent) => void;
    tokenPrivilegeWillExpire: (channelName: string) => void;
    token: (tokenEvent: TokenEvent) => void;
  }
}

/** The SDK's EventEmitter (the `events` package's API, as in Node). */
export class EventEmitter {
  static defaultMaxListeners: number;
  setMaxListeners(n: number): this;
  getMaxListeners(): number;
  emit(eventName: string | symbol, ...args: any[]): boolean;
  addListener(eventName: string | symbol, listener: (...args: any[]) => void): this;
  on(eventName: string | symbol, listener: (...args: any[]) => void): this;
  prependListener(eventName: string | symbol, listener: (...args: any[]) => void): this;
  once(eventName: string | symbol, listener: (...args: any[]) => void): this;
  prependOnceListener(eventName: string | symbol, listener: (...args: any[]) => void): this;
  removeListener(eventName: string | symbol, listener: (...args: any[]) => void): this;
  off(eventName: string | symbol, listener: (...args: any[]) => void): this;
  removeAllListeners(eventName?: string | symbol): this;
  listeners(eventName: string | symbol): Function[];
  rawListeners(eventName: string | symbol): Function[];
  listenerCount(eventName: string | symbol): number;
  eventNames(): (string | symbol)[];
}

export class RTMPresence {
  private constructor();
  whoNow(channelName: string, channelType: ChannelType, options?: WhoNowOptions): Promise<WhoNowResponse>;
  getOnlineUsers(
    channelName: string,
    channelType: ChannelType,
    options?: GetOnlineUsersOptions,
  ): Promise<GetOnlineUsersResponse>;
  whereNow(userId: string): Promise<WhereNowResponse>;
  getUserChannels(userId: string): Promise<GetUserChannelsResponse>;
  setState(channelName: string, channelType: ChannelType, state: StateDetail): Promise<SetStateResponse>;
  getState(userId: string, channelName: string, channelType: ChannelType): Promise<GetStateResponse>;
  removeState(
    channelName: string,
    channelType: ChannelType,
    options?: RemoveStateOptions,
  ): Promise<RemoveStateResponse>;
}

/** Message history of one client (`rtm.history`, R-M10, R-M11). */
export class RTMHistory {
  private constructor();
  getMessages(
    channelName: string,
    channelType: HistoryChannelType,
    options?: GetHistoryMessageOptions,
  ): Promise<GetMessagesResponse>;
}

// ------------------------------------------------------------------ storage (R-ST...)

export type StorageType = 'NONE' | 'USER' | 'CHANNEL';
/** The SDK's type; the 2.3.0 runtime emits only SNAPSHOT and UPDATE (R-ST17). */
export type StorageEventType = 'NONE' | 'SET' | 'SNAPSHOT' | 'REMOVE' | 'UPDATE';
/** One item a write passes: `revision` -1 (default) no check, 0 create only, > 0 CAS. */
export interface MetadataItem {
  key: string;
  value: string;
  revision?: number;
}
/** One item as a get or an event shows it (R-ST10). */
export interface MetaDataDetail {
  value: string;
  revision: number;
  updated: number;
  authorUid: string;
}
export interface StorageData {
  totalCount: number;
  majorRevision: number;
  metadata: Record<string, MetaDataDetail>;
}
export interface ChannelMetadataOperationResponse extends BaseResponse {
  channelName: string;
  channelType: ChannelType;
}
export interface UserMetadataOperationResponse extends BaseResponse {
  userId: string;
}
export interface SetChannelMetadataResponse extends ChannelMetadataOperationResponse {
  totalCount: number;
}
export interface UpdateChannelMetadataResponse extends ChannelMetadataOperationResponse {
  totalCount: number;
}
export interface RemoveChannelMetadataResponse extends ChannelMetadataOperationResponse {
  totalCount: number;
}
export interface GetChannelMetadataResponse extends StorageData, ChannelMetadataOperationResponse {}
export interface SetUserMetadataResponse extends UserMetadataOperationResponse {
  totalCount: number;
}
export interface UpdateUserMetadataResponse extends UserMetadataOperationResponse {
  totalCount: number;
}
export interface RemoveUserMetadataResponse extends UserMetadataOperationResponse {
  totalCount: number;
}
export interface GetUserMetadataResponse extends StorageData, UserMetadataOperationResponse {}
export interface SubscribeUserMetaResponse extends UserMetadataOperationResponse {}
export interface UnsubscribeUserMetaResponse extends UserMetadataOperationResponse {}
export interface MetadataOptions {
  majorRevision?: number;
  lockName?: string;
  addTimeStamp?: boolean;
  addUserId?: boolean;
}
export interface RemoveChannelMetadataOptions extends MetadataOptions {
  data?: MetadataItem[];
}
export interface SetOrUpdateUserMetadataOptions extends MetadataOptions {
  userId?: string;
}
export interface RemoveUserMetadataOptions extends MetadataOptions {
  userId?: string;
  data?: MetadataItem[];
}
export interface GetUserMetadataOptions {
  userId?: string;
}
/** A `storage` event (R-ST16): a channel's (`publisher` "") or a user's (`channelType`
 * "USER", `channelName` "", `publisher` the user), with the whole state in `data`. */
export interface StorageEvent {
  channelType: ChannelType;
  channelName: string;
  publisher: string;
  storageType: StorageType;
  eventType: StorageEventType;
  data: StorageData;
  timestamp: number;
}

/** Channel and user metadata of one client (`rtm.storage`, R-ST1..R-ST20). */
export class RTMStorage {
  private constructor();
  setChannelMetadata(
    channelName: string,
    channelType: ChannelType,
    data: MetadataItem[],
    options?: MetadataOptions,
  ): Promise<SetChannelMetadataResponse>;
  updateChannelMetadata(
    channelName: string,
    channelType: ChannelType,
    data: MetadataItem[],
    options?: MetadataOptions,
  ): Promise<UpdateChannelMetadataResponse>;
  removeChannelMetadata(
    channelName: string,
    channelType: ChannelType,
    options?: RemoveChannelMetadataOptions,
  ): Promise<RemoveChannelMetadataResponse>;
  getChannelMetadata(channelName: string, channelType: ChannelType): Promise<GetChannelMetadataResponse>;
  setUserMetadata(data: MetadataItem[], options?: SetOrUpdateUserMetadataOptions): Promise<SetUserMetadataResponse>;
  updateUserMetadata(
    data: MetadataItem[],
    options?: SetOrUpdateUserMetadataOptions,
  ): Promise<UpdateUserMetadataResponse>;
  removeUserMetadata(options?: RemoveUserMetadataOptions): Promise<RemoveUserMetadataResponse>;
  getUserMetadata(options?: GetUserMetadataOptions): Promise<GetUserMetadataResponse>;
  subscribeUserMetadata(userId: string): Promise<SubscribeUserMetaResponse>;
  unsubscribeUserMetadata(userId: string): Promise<UnsubscribeUserMetaResponse>;
}

// ------------------------------------------------------------------ locks (R-LK...)

/** The SDK's type; the 2.3.0 runtime never emits NONE (R-LK15). */
export type LockEventType = 'NONE' | 'SET' | 'REMOVED' | 'ACQUIRED' | 'RELEASED' | 'SNAPSHOT' | 'EXPIRED';
/** One lock: `getLock` lists `{lockName, ttl, owner}`, a SNAPSHOT `{lockName, owner, ttl}`. */
export interface LockDetail {
  lockName: string;
  owner: string;
  ttl: number;
}
export interface GetLockResponse extends BaseResponse {
  totalLocks: number;
  lockDetails: LockDetail[];
  channelName: string;
  channelType: ChannelType;
}
export interface LockOperationResponse extends BaseResponse {
  channelName: string;
  channelType: ChannelType;
  lockName: string;
}
export interface SetLockResponse extends LockOperationResponse {}
export interface RemoveLockResponse extends LockOperationResponse {}
export interface RevokeLockResponse extends LockOperationResponse {}
export interface ReleaseLockResponse extends LockOperationResponse {}
export interface AcquireLockResponse extends LockOperationResponse {}
/** `ttl` (s): clamped to 10..300 and written back, as the SDK does (R-LK5). */
export interface SetLockOptions {
  ttl?: number;
}
export interface AcquireLockOptions {
  retry?: boolean;
}
/** A `lock` event (R-LK15, R-LK16): `publisher` is always "". */
export interface LockEvent {
  channelType: ChannelType;
  channelName: string;
  eventType: LockEventType;
  lockName: string;
  ttl: number;
  publisher: string;
  snapshot: LockDetail[];
  owner: string;
  timestamp: number;
}

/** Distributed locks of one client (`rtm.lock`, R-LK1..R-LK22). */
export class RTMLock {
  private constructor();
  setLock(channelName: string, channelType: ChannelType, lockName: string, options?: SetLockOptions): Promise<SetLockResponse>;
  removeLock(channelName: string, channelType: ChannelType, lockName: string): Promise<RemoveLockResponse>;
  acquireLock(
    channelName: string,
    channelType: ChannelType,
    lockName: string,
    options?: AcquireLockOptions,
  ): Promise<AcquireLockResponse>;
  releaseLock(channelName: string, channelType: ChannelType, lockName: string): Promise<ReleaseLockResponse>;
  revokeLock(channelName: string, channelType: ChannelType, lockName: string, owner: string): Promise<RevokeLockResponse>;
  getLock(channelName: string, channelType: ChannelType): Promise<GetLockResponse>;
}

/** `rtm.createStreamChannel(name)`: one handle per name, checked at creation (-10008). */
export class RTMStreamChannel extends EventEmitter {
  private constructor();
  /** The channel's name (emulator addition). */
  readonly channelName: string;
  join(options?: JoinOptions): Promise<JoinChannelResponse>;
  leave(): Promise<LeaveChannelResponse>;
  joinTopic(topicName: string, options?: joinTopicOptions): Promise<JoinTopicResponse>;
  leaveTopic(topicName: string): Promise<LeaveTopicResponse>;
  subscribeTopic(topicName: string, options?: SubscribeTopicOptions): Promise<SubscribeTopicResponse>;
  unsubscribeTopic(topicName: string, options?: UnsubscribeTopicOptions): Promise<UnsubscribeTopicResponse>;
  publishTopicMessage(
    topicName: string,
    message: string | Uint8Array,
    options?: PublishTopicMessageOptions,
  ): Promise<PublishTopicMessageResponse>;
  /** Synchronous, as in the SDK: its errors are thrown (R-M17). */
  getSubscribedUserList(topicName: string): GetSubscribedUserListResponse;
}

/** Emulator-only controls of one client's connection (`rtm.emulator`). */
export interface EmulatorLink {
  readonly url: string;
  /** The server-side session id, or null before the first call / after logout. */
  readonly session: string | null;
  readonly socketOpen: boolean;
  /** Close the socket: a network loss (R-T2). */
  dropConnection(): Promise<void>;
  /** Bring the network back (R-T3): the client reconnects at its next retry (R-T4). */
  restoreConnection(): Promise<BaseResponse>;
}

/**
 * One client. The constructor throws the SDK's errors synchronously (-10003, -10006,
 * -10027; `operation` "initRTM"). `addEventListener` receives the service's events; the
 * EventEmitter methods inherited act on the client object itself, as in the SDK.
 */
export class RTMClient extends EventEmitter {
  constructor(appId: string, userId: string, rtmConfig?: RTMConfig);
  presence: RTMPresence;
  history: RTMHistory;
  storage: RTMStorage;
  lock: RTMLock;
  /** Emulator-only: the connection's controls. */
  readonly emulator: EmulatorLink;
  login(options?: LoginOptions): Promise<LoginResponse>;
  logout(): Promise<LogoutResponse>;
  renewToken(token: string, options?: RenewTokenOptions): Promise<RenewTokenResponse>;
  subscribe(channelName: string, options?: SubscribeOptions): Promise<SubscribeResponse>;
  unsubscribe(channelName: string): Promise<UnsubscribeResponse>;
  publish(channelName: string, message: string | Uint8Array, options?: PublishOptions): Promise<PublishResponse>;
  createStreamChannel(channelName: string): RTMStreamChannel;
  addEventListener<EventName extends keyof RTMEvents.RTMClientEventMap>(
    eventName: EventName,
    listener: RTMEvents.RTMClientEventMap[EventName],
  ): void;
  removeEventListener<EventName extends keyof RTMEvents.RTMClientEventMap>(
    eventName: EventName,
    listener: RTMEvents.RTMClientEventMap[EventName],
  ): void;
}

/** `AgoraRTM.constantsType`: the SDK's exported enums, as plain objects. */
export interface ConstantsType {
  readonly AreaCode: { readonly [K in AreaCode]: K };
  readonly ChannelTypeEnum: {
    readonly MESSAGE: 1;
    readonly STREAM: 2;
    readonly USER: 3;
    readonly [n: number]: string;
  };
  readonly LegacyAreaCode: {
    readonly [K in 'CN' | 'NA' | 'EU' | 'AS' | 'JP' | 'IN' | 'GLOB' | 'OC' | 'SA' | 'AF' | 'KR' | 'US' | 'OVS']: K;
  };
  readonly LinkStateChangeReason4Report: {
    readonly [K in LinkStateChangeReasonCode]: number;
  } & { readonly [n: number]: LinkStateChangeReasonCode };
  readonly LinkStateChangeReasonDescription: { readonly [K in LinkStateChangeReasonCode]: string };
  readonly MessageType: { readonly STRING: 'STRING'; readonly BINARY: 'BINARY' };
  readonly TokenEventReason: { readonly WILL_EXPIRE: string; readonly READ_PERMISSION_REVOKED: string };
  readonly subscribedState: { readonly UNSUBSCRIBED: 'UNSUBSCRIBED'; readonly SUBSCRIBED: 'SUBSCRIBED' };
}
export const constantsType: ConstantsType;

/**
 * The SDK's global parameters: an unknown key or a value of the wrong type throws -10014
 * (`operation` "set parameter"). The emulator acts on IGNORE_DUPLICATE_USER_ID_ERR,
 * EXTEND_CHANNEL_NAME and HISTORY_ENABLED; the others are stored and read back only.
 */
export function setParameter(key: any, value: any): void;
export function getParameter(key: any): any;
export function setArea(options: { areaCodes: AreaCode[]; excludedArea?: AreaCode }): void;

// ------------------------------------------------------------------ control API

/** `EmulatorConfig` fields for `reset` (camelCase). */
export interface EmulatorConfig {
  startTimeMs?: number;
  /** Users per server-route page of whoNow (R-Q3); default: announceMax. */
  announceMax?: number;
  interval?: number;
  debounce?: number;
  maxChannelUsers?: number;
  rateLimits?: boolean;
  /** App id -> app certificate (R-TK20): that app's tokens are checked and expire. */
  appCertificates?: Record<string, string>;
}

export interface EmulatorInfo {
  version: string;
  clock: 'manual' | 'real';
  nowMs: number;
  maxFrameBytes: number;
  sessions: number;
  /** The server's default app (`rtm_emulator.DEFAULT_APP_ID`), used when a control call names none. */
  defaultAppId: string;
  config: EmulatorConfig;
}

export interface AppOption {
  /** The app id (default: the control's `appId`, else the server's default app). */
  appId?: string;
}

export interface JournalFilter {
  recipient?: string;
  channel?: string;
  channelType?: 'MESSAGE' | 'STREAM';
  eventType?: PresenceEventType;
  publisher?: string;
  appId?: string;
  kind?: 'presence' | 'linkState' | 'message' | 'topic';
}

/** A binary message as JSON carries it (frames, journal): its bytes in base64. */
export interface JsonBytes {
  $: 'bytes';
  base64: string;
}

interface JournalEntryOf<K extends string, E> {
  recipient: string;
  appId: string;
  kind: K;
  deliveredAt: number;
  /** The SDK JSON of the event. */
  event: E;
}

/** One delivery of the journal; `kind` tells the event's shape (presence events also
 * carry `seq`; a binary message is {@link JsonBytes}). */
export type JournalEntry =
  | JournalEntryOf<'presence', RTMEvents.PresenceEvent & { seq: number }>
  | JournalEntryOf<'linkState', RTMEvents.LinkStateEvent>
  | JournalEntryOf<'message', Omit<RTMEvents.MessageEvent, 'message'> & { message: string | JsonBytes }>
  | JournalEntryOf<'topic', RTMEvents.TopicEvent>;

/** The server's control API for tests. Each call resolves after its events reached every client. */
export class EmulatorControl {
  constructor(url?: string, options?: { appId?: string });
  readonly url: string;
  /** The default app of the methods that name a user or channel; undefined: the server's default. */
  readonly appId: string | undefined;
  info(): Promise<EmulatorInfo>;
  /** The fake clock, ms since the epoch. */
  now(): Promise<number>;
  advance(seconds: number): Promise<{ nowMs: number }>;
  runUntilIdle(): Promise<{ fired: number; nowMs: number }>;
  advanceToNextEvent(): Promise<{ fired: boolean; nowMs: number }>;
  disconnect(userId: string, options?: AppOption): Promise<Record<string, never>>;
  reconnect(userId: string, options?: AppOption): Promise<Record<string, never>>;
  setPresenceAvailable(
    channelName: string,
    channelType: 'MESSAGE' | 'STREAM',
    available: boolean,
    options?: AppOption,
  ): Promise<Record<string, never>>;
  setDeliveryLatency(userId: string, seconds: number, options?: AppOption): Promise<Record<string, never>>;
  /** Fault injection (R-ST11): the server answers every storage request of `userId` with `code`; 0 restores it. */
  setStorageReplyCode(userId: string, code: number, options?: AppOption): Promise<Record<string, never>>;
  /** Fault injection (R-LK11): the server answers every lock request of `userId` with `code`; 0 restores it. */
  setLockReplyCode(userId: string, code: number, options?: AppOption): Promise<Record<string, never>>;
  /** The app's certificate (R-TK20): logins and renewToken then check tokens; null removes it. */
  setAppCertificate(certificate: string | null, options?: AppOption): Promise<Record<string, never>>;
  /** A fresh emulator (optionally with a new config); every client session is closed. */
  reset(config?: EmulatorConfig): Promise<EmulatorInfo>;
  onlineUsers(channelName: string, channelType: 'MESSAGE' | 'STREAM', options?: AppOption): Promise<string[]>;
  userChannels(userId: string, options?: AppOption): Promise<ChannelDetail[]>;
  stateOf(
    userId: string,
    channelName: string,
    channelType: 'MESSAGE' | 'STREAM',
    options?: AppOption,
  ): Promise<StateDetail>;
  journal(filter?: JournalFilter): Promise<JournalEntry[]>;
  journalJsonl(filter?: JournalFilter): Promise<string>;
  clearJournal(): Promise<Record<string, never>>;
  pendingTimers(): Promise<{ dueMs: number; label: string }[]>;
  checkInvariants(): Promise<Record<string, never>>;
  close(): Promise<void>;
}

/** Close every socket this module opened (for test teardown). */
export function closeAllConnections(): Promise<void>;

export const EVENT_NAMES: readonly (keyof RTMEvents.RTMClientEventMap)[];
/** The SDK version this client stands in for: "2.3.0" (same as `AgoraRTM.VERSION`). */
export const VERSION: string;
export const SDK_VERSION: string;
/** This package's version. */
export const CLIENT_VERSION: string;

/** Mirrors the SDK's default export: `new AgoraRTM.RTM(appId, userId, {emulatorUrl})`. */
declare const AgoraRTM: {
  BUILD: string;
  VERSION: string;
  RTM: typeof RTMClient;
  getParameter: typeof getParameter;
  setArea: typeof setArea;
  setParameter: typeof setParameter;
  constantsType: ConstantsType;
  RTMBaseError: typeof RTMBaseError;
  /** Emulator addition. */
  EmulatorControl: typeof EmulatorControl;
};
export default AgoraRTM;
/** `AgoraRTM.RTM`, also as a named export (`const { RTM } = require('rtm-emulator-client')`). */
export declare const RTM: typeof RTMClient;
/** `AgoraRTM.BUILD`, also as a named export. */
export declare const BUILD: string;
