// Types of rtm-emulator-client for `import` (index.js): the declarations are in
// index.d.cts, which types `require` (index.cjs); both load one implementation.

import cjs from './index.cjs';

export * from './index.cjs';
/** Mirrors the SDK's default export: `new AgoraRTM.RTM(appId, userId, {emulatorUrl})`. */
declare const AgoraRTM: typeof cjs.default;
export default AgoraRTM;
