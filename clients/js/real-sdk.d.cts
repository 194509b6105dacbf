// Types of rtm-emulator-client/real-sdk for `require` (lib/real-sdk.cjs); real-sdk.d.ts
// re-exports them. See docs/real-sdk.md.

/** The agora-rtm-sdk versions useEmulator accepts. */
export declare const SUPPORTED_SDK_VERSIONS: readonly string[];

/** What useEmulator needs of the SDK's default export (`import AgoraRTM from 'agora-rtm-sdk'`). */
export interface AgoraRTMLike {
  VERSION: string;
  RTM: new (appId: string, userId: string, config?: object) => unknown;
}

export interface UseEmulatorOptions {
  /** `ws://127.0.0.1:PORT` of `rtm-emulator serve`; default $RTM_EMULATOR_URL. */
  url?: string;
  /**
   * The RTC module object the SDK captured when it loaded (`agora-rtc-sdk-ng`'s exports, or
   * a page's `AgoraRTC`), whose `createClient` gets the emulator's RTC client so that stream
   * channels and topics run on the emulator. Found by itself for a CommonJS load of the SDK
   * and for a page's `window.AgoraRTC`; none reachable: stream channels stay the SDK's own.
   */
  rtc?: { createClient: (...args: never[]) => unknown };
}

export interface EmulatorSetup {
  /** The SDK's VERSION. */
  readonly version: string;
  readonly url: string;
  /** Whether stream channels and topics run on the emulator (an RTC module was reachable). */
  readonly rtc: boolean;
  /** Put the SDK's own transport methods (and the RTC module's createClient) back (clients made later reach Agora again). */
  restore(): void;
}

/**
 * Make every later `new AgoraRTM.RTM(...)` log in to the emulator at `url`. Rejects with
 * an Error naming the supported versions when `AgoraRTM.VERSION` is not one of them.
 */
export function useEmulator(AgoraRTM: AgoraRTMLike, options?: UseEmulatorOptions): Promise<EmulatorSetup>;

/** Resolves once every request the real-SDK sessions of this runtime sent so far is answered. */
export function inFlight(): Promise<void>;

/** Close every real-SDK session socket of this runtime. */
export function closeAll(): Promise<void>;

/** A packet payload as JSON: 64-bit integers `{$long, unsigned}`, bytes `{$bytes}`. */
export function encodePacket(value: unknown): unknown;

/** The inverse of encodePacket, with the SDK's Long class. */
export function decodePacket(value: unknown, Long: { fromString(text: string, unsigned?: boolean): unknown } | null): unknown;
