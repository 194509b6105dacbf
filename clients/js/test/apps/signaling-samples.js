// What the samples of AgoraIO/signaling-sdk-samples-web (upstream.js) share, and their
// tests with them: the settings file every sample reads, and the log every sample
// writes its steps and received messages into (src/utils/showMessage.js).

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Sets `values` (`appId`, say) on the object the samples import from
 * src/signaling_manager/config.json, as their README says to fill the file in before
 * running; the file's bytes stay upstream's. Call it before the sample's scripts run.
 */
export async function fillConfig(dir, values) {
  const url = pathToFileURL(join(dir, 'src/signaling_manager/config.json')).href;
  const config = (await import(/* @vite-ignore */ url)).default;
  Object.assign(config, values);
}

/** The sample's log, oldest first, without the wall-clock time it puts before each line. */
export function sampleLog() {
  return [...document.getElementById('log').children]
    .reverse()
    .map((line) => line.textContent.slice(line.textContent.indexOf(': ') + 2));
}
