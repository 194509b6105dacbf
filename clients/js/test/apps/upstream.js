// Where the public sample apps these tests run come from, and how a test gets their
// files at run time. Nothing of the apps is kept in this repository: the upstream
// repositories carry no license that allows redistribution, so a test reads the files
// from a checkout the developer points it at, checks that they are byte for byte the
// pinned upstream commit (git blob ids), copies them into a fresh temporary folder and
// runs them from there. Without a checkout the test is skipped, and says why.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * digitallysavvy/agora-signaling-demo: vanilla JS + Vite, agora-rtm-sdk ^2.1.9; it
 * passes `token` in its RTMConfig and registers a `status` listener.
 */
export const AGORA_SIGNALING_DEMO = Object.freeze({
  name: 'agora-signaling-demo',
  repository: 'https://github.com/digitallysavvy/agora-signaling-demo',
  commit: 'f17e3b2e87c657a671cc2757e12e5ec7cc97ed9c',
  /** The variable that names a checkout: a work tree at that commit, or a git directory holding it. */
  envVar: 'AGORA_SIGNALING_DEMO_SRC',
  /** path -> git blob id at `commit` */
  files: Object.freeze({
    'index.html': 'ff175f4aa4f53948dac908fb8557316eebcac0ed',
    'agora-signaling.js': 'd9a494188fa5a6d66ef7c8ccc4dd76dec4ce84ed',
    'ui.js': '5940f5efbf9d421822a3544d54cb7a13fbb1f77c',
    'style.css': 'ebcc33b26371d592c583e86ef6c9e60304387b31',
    'package.json': '7957c408e2a02328ee60bd4010769710f592ea13',
  }),
});

/**
 * Bac1314/APIExample_AgoraRTM2x_Web: plain pages (jQuery, classic scripts) loading the SDK
 * from a script tag as the global `AgoraRTM` (2.2.0). Two of its Basic pages: channel
 * messaging (MESSAGE channels, custom types such as `assistant.transcription`, presence
 * events listed in the chat) and peer-to-peer messaging (USER messages); and its
 * Advanced live bidding page (channel metadata, bids as `updateChannelMetadata` with the
 * `majorRevision` just read).
 */
export const RTM2X_API_EXAMPLE = Object.freeze({
  name: 'APIExample_AgoraRTM2x_Web',
  repository: 'https://github.com/Bac1314/APIExample_AgoraRTM2x_Web',
  commit: 'aafe3bcffdc11389dae3e8bdfdbdd135c9209d0d',
  envVar: 'AGORA_RTM2X_API_EXAMPLE_SRC',
  /** The script tag the pages load the SDK from: the tests put this package there. */
  sdkScript: 'OtherAssets/agora-rtm-2.2.0.min.js',
  files: Object.freeze({
    'Basic/1_ChannelMessaging/index.html': '10658df1a16afed58943a3e60ccfad06390f11e5',
    'Basic/1_ChannelMessaging/channelMessaging.js': '17c5b189f935f230b54a5ef86121228ae6cdacbe',
    'Basic/2_Peer_to_Peer_Messaging/index.html': '4e33446208e767a29813b4951c38b72731ea03c0',
    'Basic/2_Peer_to_Peer_Messaging/peertoPeer.js': '503ef5b42b62717bfa8952e8e232d8cc491ba052',
    'Advanced/3_LiveBidding/index.html': '4478a3c36093a7545616b0c72a9f05ae9b7aed7d',
    'Advanced/3_LiveBidding/liveBidding.js': '2904682a209cf1cc4e293a56fd5a12d25ec24242',
    'Models/CustomRTMUser.js': 'c179d13869dc89e4ba5cc5d49cddfb36f3704bba',
    'Models/CustomRTMChannel.js': 'f8824ccb588e806cd542729d2c58183f942323a6',
    'Models/CustomRTMMessage.js': '5f11a53e775fe0874bf5beeb1a90767e3789227c',
    'OtherAssets/jquery-3.4.1.min.js': '07c00cd227da09d9e398ec89ae48e5d3c218010d',
    'OtherAssets/jquery.cookie.js': 'c7f3a59b512830ac531c12f94724e51cb26fc4c2',
    'OtherAssets/bootstrap.bundle.min.js': '78c533b4e7ecb48d0da3017e1361c05765ff43c9',
  }),
});

/**
 * AgoraIO/signaling-sdk-samples-web: Agora's own reference app for the Signaling (RTM 2.x)
 * docs, vanilla JS + Vite, agora-rtm-sdk ^2.1.5. Every sample reads its settings from
 * src/signaling_manager/config.json, which its README says to fill in before running.
 * Four samples: the SDK quickstart (channel chat, presence list), stream channels
 * (topics), "Store channel and user data" (user and channel metadata with revisions,
 * locks) and the authentication workflow (tokens from a token server, `renewToken`).
 */
export const SIGNALING_SDK_SAMPLES = Object.freeze({
  name: 'signaling-sdk-samples-web',
  repository: 'https://github.com/AgoraIO/signaling-sdk-samples-web',
  commit: '7fc59ae19c15e2c36e1990245f126c68c8633caf',
  envVar: 'AGORA_SIGNALING_SDK_SAMPLES_SRC',
  files: Object.freeze({
    'package.json': 'ac06da9b50251ac54104eb04fff588d938a886dd',
    'src/projectselector.html': '270dc15ef3afdcd89b3bef209ff0b7eaf7a278c9',
    'src/signaling_manager/config.json': 'badbcc08e379bc73236c158db70b870e42c31cb5',
    'src/signaling_manager/signaling_manager.js': '9f2f97ab15d436fd2cbb9eeff450f5f2f3da6410',
    'src/authentication_workflow/signaling_manager_authentication.js':
      '2a03e6fdc836261683ade454b6851d9786bb03a7',
    'src/sdk_quickstart/index.html': '2c0efea4350733794122bdd15fc29401ab27a0a0',
    'src/sdk_quickstart/get_started.js': '8555c6f032f0ab77aaa6b711452a4dd5eeedeb6d',
    'src/sdk_quickstart/signaling_manager_get_started.js':
      '872603f90f62320c7100f0682a9077ddff8d7a86',
    'src/stream_channel/index.html': '4e611d1cf30c287f744b6f7ee6cb8493f17bcb11',
    'src/stream_channel/stream_channel.js': '943cf34c63fffc9e61f5f1959bbf83c5db20d98f',
    'src/stream_channel/signaling_manager_stream_channel.js':
      '565773b89a8c5ad1508b8159e48b8907cc264ebc',
    'src/storage/index.html': '0733de2c72960db5522374c17e2d32095c6eb32c',
    'src/storage/storage.js': 'e1cab1b4bd8cc55728050e93e9101d43f2ed8de2',
    'src/storage/signaling_manager_storage.js': '8f57440a82249683977373578ee64103aa87f234',
    'src/authentication_workflow/index.html': '0a8193a747a2f723b8f07103a08328ae1b1d16c0',
    'src/authentication_workflow/authentication_workflow.js':
      '97f2802691481a9eb478c5ee67d868ea2926e0e9',
    'src/utils/docSteURLs.js': '80e45a0a6f822b26025745cd741490be6cfef8e5',
    'src/utils/handleSignalingEvents.js': '16e9e3cf53529d6e23efbedcfcb6aeb6d48e005f',
    'src/utils/setupProjectSelector.js': '633ed8ce5e09763774de451f5ea2c775cf67d252',
    'src/utils/showMessage.js': '6cef64db40e41b14348218d7f6779ceb1e2f7a37',
  }),
});

/** The git blob id of `bytes` (what `git hash-object` prints). */
export function blobId(bytes) {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function isGitDir(dir) {
  try {
    execFileSync('git', ['--git-dir', dir, 'rev-parse', '--git-dir'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The bytes of every pinned file, from a work tree or from a git directory. */
function readUpstream(app, source) {
  const out = {};
  const workTree = Object.keys(app.files).every((file) => existsSync(join(source, file)));
  if (workTree) {
    for (const file of Object.keys(app.files)) out[file] = readFileSync(join(source, file));
    return out;
  }
  const gitDir = isGitDir(source) ? source : join(source, '.git');
  if (!isGitDir(gitDir)) {
    throw new Error(
      `${app.envVar}=${source}: neither a work tree with ${Object.keys(app.files).join(', ')} nor a git directory`,
    );
  }
  for (const file of Object.keys(app.files)) {
    out[file] = execFileSync('git', ['--git-dir', gitDir, 'show', `${app.commit}:${file}`], {
      maxBuffer: 16 * 1024 * 1024,
    });
  }
  return out;
}

/**
 * `{available: true, dir, files}`: the app's pinned files, checked and copied into a new
 * temporary folder `dir`; or `{available: false, reason}` when no checkout is named.
 * A checkout that is named but holds other bytes throws: the test must not run a
 * different version of the app under the pinned commit's name.
 */
export function obtainApp(app, env = process.env) {
  const source = env[app.envVar];
  if (!source) {
    return {
      available: false,
      reason: `set ${app.envVar} to a checkout of ${app.repository} at ${app.commit} (a work tree or its git directory) to run this test`,
    };
  }
  if (!existsSync(source) || !statSync(source).isDirectory()) {
    throw new Error(`${app.envVar}=${source}: no such directory`);
  }
  const bytes = readUpstream(app, source);
  for (const [file, expected] of Object.entries(app.files)) {
    const actual = blobId(bytes[file]);
    if (actual !== expected) {
      throw new Error(
        `${app.envVar}: ${file} is blob ${actual}, not ${expected} of ${app.repository} at ${app.commit}`,
      );
    }
  }
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `rtm-app-${app.name}-`)));
  for (const [file, data] of Object.entries(bytes)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), data);
  }
  return { available: true, dir, files: Object.keys(app.files) };
}
