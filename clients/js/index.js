// rtm-emulator-client for `import`: the implementation is index.cjs (one copy, shared
// with `require`, so both module systems see the same module state: parameters, the
// user-id registry, the open sockets).

import cjs from './index.cjs';

export const {
  BUILD,
  CLIENT_VERSION,
  closeAllConnections,
  constantsType,
  EmulatorControl,
  EVENT_NAMES,
  EventEmitter,
  getParameter,
  RTM,
  RTMBaseError,
  RTMClient,
  RtmInvalidArgumentError,
  RtmInvalidStatusError,
  RtmInvokeTooOftenError,
  RtmLimitExceededError,
  RTMHistory,
  RTMLock,
  RTMStorage,
  RTMPresence,
  RTMStreamChannel,
  RtmTimeoutError,
  RtmUnauthenticatedError,
  RtmUnavailableError,
  RtmUnknownError,
  SDK_VERSION,
  setArea,
  setParameter,
  VERSION,
} = cjs;

export default cjs.default;
