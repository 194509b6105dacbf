// rtm-emulator-client/real-sdk for `import`: the implementation is lib/real-sdk.cjs.

import cjs from './real-sdk.cjs';

export const { SUPPORTED_SDK_VERSIONS, closeAll, decodePacket, encodePacket, inFlight, useEmulator } = cjs;
