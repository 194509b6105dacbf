// rtm-emulator-client/node for `import`: the implementation is node.cjs.

import cjs from './node.cjs';

export const { startEmulator } = cjs;
