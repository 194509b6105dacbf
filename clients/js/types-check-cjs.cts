// The CommonJS typings (index.d.cts, node.d.cts): what `require('rtm-emulator-client')`
// returns is typed, both as the SDK's object (`AgoraRTM.RTM`) and by name. `npm test`
// runs `tsc --noEmit -p .` on this file; nothing here is executed.

import AgoraRTM = require('rtm-emulator-client');
import node = require('rtm-emulator-client/node');

const { RTM, EmulatorControl, RtmInvalidArgumentError } = AgoraRTM;

async function main(): Promise<void> {
  const server: node.RunningEmulator = await node.startEmulator({ python: 'python3' });
  const rtm: AgoraRTM.RTMClient = new AgoraRTM.RTM('0123456789abcdef0123456789abcdef', 'me', {
    emulatorUrl: server.url,
  });
  const same: AgoraRTM.RTMClient = new RTM('0123456789abcdef0123456789abcdef', 'you');
  const viaDefault: AgoraRTM.RTMClient = new AgoraRTM.default.RTM('0123456789abcdef0123456789abcdef', 'it');
  const config: AgoraRTM.RTMConfig = { presenceTimeout: 20 };
  const control: AgoraRTM.EmulatorControl = new EmulatorControl(server.url);
  const info: AgoraRTM.EmulatorInfo = await control.reset({ announceMax: 8 });
  const build: string = AgoraRTM.BUILD + AgoraRTM.default.VERSION + info.version;
  try {
    await rtm.login();
  } catch (err) {
    if (err instanceof RtmInvalidArgumentError) console.log(err.code, err.operation);
  }
  console.log(same, viaDefault, config, build);
  await server.stop();
}

void main;
