// Types of rtm-emulator-client: the presence subset of agora-rtm-sdk 2.3.0's API, with
// the same JSON shapes (checked against the real SDK's typings by types-check.ts).

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
/** The reason codes the emulator sends (a subset of the SDK's). */
export type LinkStateChangeReasonCode =
  | 'LOGIN'
  | 'LOGIN_SUCCESS'
  | 'LOGOUT'
  | 'AUTO_RECONNECT'
  | 'KEEP_ALIVE_TIMEOUT'
  | 'RECONNECT_SUCCESS'
  | 'SAME_UID_LOGIN';
export type ServiceType = 'MESSAGE' | 'STREAM';

/** A user's temporary state: string keys to string values. */
export interface StateDetail {
  [key: string]: string;
}

export interface BaseResponse {
  timestamp: number;
}
export interface LoginResponse extends BaseResponse {}
export interface LogoutResponse extends BaseResponse {}
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

/** The SDK's RTMConfig keys (only presenceTimeout and heartbeatInterval matter here), plus `emulatorUrl`. */
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
  privateConfig?: { domainMode?: 1 | 2 };
  /** The emulator's URL (`ws://127.0.0.1:PORT`); default $RTM_EMULATOR_URL / globalThis.RTM_EMULATOR_URL. */
  emulatorUrl?: string;
}

/** The SDK's ErrorInfo: what every failed call rejects with. */
export interface ErrorInfo {
  error: boolean;
  operation: string;
  errorCode: number;
  reason: string;
}

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
  interface RTMClientEventMap {
    presence: (presenceData: PresenceEvent) => void;
    linkState: (linkState: LinkStateEvent) => void;
    /** Accepted; never fired by the emulator. */
    message: (message: any) => void;
    storage: (storageData: any) => void;
    lock: (lockInfo: any) => void;
    topic: (topicEvent: any) => void;
    tokenPrivilegeWillExpire: (channelName: string) => void;
    token: (tokenEvent: any) => void;
  }
}

/** A failed call (an Error whose own enumerable fields are the ErrorInfo). */
export class RTMBaseError extends Error implements ErrorInfo {
  error: boolean;
  operation: string;
  errorCode: number;
  reason: string;
  constructor(info: ErrorInfo);
  toJSON(): ErrorInfo;
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

export class RTMStreamChannel {
  private constructor();
  /** The channel's name (emulator addition). */
  readonly channelName: string;
  join(options?: JoinOptions): Promise<JoinChannelResponse>;
  leave(): Promise<LeaveChannelResponse>;
}

/** Emulator-only controls of one client's connection (`rtm.emulator`). */
export interface EmulatorLink {
  readonly url: string;
  /** The server-side session id, or null before the first call / after logout. */
  readonly session: string | null;
  readonly socketOpen: boolean;
  /** Close the socket: a network loss (R-T2). */
  dropConnection(): Promise<void>;
  /** Reopen the socket if needed and bring the network back (R-T3). */
  restoreConnection(): Promise<BaseResponse>;
}

export class RTMClient {
  constructor(appId: string, userId: string, rtmConfig?: RTMConfig);
  presence: RTMPresence;
  /** Emulator-only: the connection's controls. */
  readonly emulator: EmulatorLink;
  login(options?: LoginOptions): Promise<LoginResponse>;
  logout(): Promise<LogoutResponse>;
  subscribe(channelName: string, options?: SubscribeOptions): Promise<SubscribeResponse>;
  unsubscribe(channelName: string): Promise<UnsubscribeResponse>;
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

// ------------------------------------------------------------------ control API

/** `EmulatorConfig` fields for `reset` (camelCase). */
export interface EmulatorConfig {
  startTimeMs?: number;
  pageSize?: number;
  announceMax?: number;
  interval?: number;
  debounce?: number;
  maxChannelUsers?: number;
}

export interface EmulatorInfo {
  version: string;
  clock: 'manual' | 'real';
  nowMs: number;
  maxFrameBytes: number;
  sessions: number;
  config: Required<EmulatorConfig>;
}

export interface AppOption {
  /** The app id (default: the control's `appId`, itself default `"emulator"`). */
  appId?: string;
}

export interface JournalFilter {
  recipient?: string;
  channel?: string;
  channelType?: 'MESSAGE' | 'STREAM';
  eventType?: PresenceEventType;
  publisher?: string;
  appId?: string;
  kind?: 'presence' | 'linkState';
}

export interface JournalEntry {
  recipient: string;
  appId: string;
  kind: 'presence' | 'linkState';
  deliveredAt: number;
  /** The SDK JSON of the event (presence events also carry `seq`). */
  event: (RTMEvents.PresenceEvent & { seq: number }) | RTMEvents.LinkStateEvent;
}

/** The server's control API for tests. Each call resolves after its events reached every client. */
export class EmulatorControl {
  constructor(url?: string, options?: { appId?: string });
  readonly url: string;
  readonly appId: string;
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
export const VERSION: string;

/** Mirrors the SDK's default export: `new AgoraRTM.RTM(appId, userId, {emulatorUrl})`. */
declare const AgoraRTM: {
  readonly RTM: typeof RTMClient;
  readonly RTMBaseError: typeof RTMBaseError;
  readonly VERSION: string;
  readonly BUILD: string;
  readonly EmulatorControl: typeof EmulatorControl;
  setArea(options: unknown): void;
  setParameter(key: unknown, value: unknown): void;
  getParameter(key: unknown): unknown;
};
export default AgoraRTM;
