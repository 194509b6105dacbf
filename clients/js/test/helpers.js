// Shared helpers for the node:test suites: one Python server per test file.

import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import AgoraRTM from '../index.js';
import { startEmulator } from '../node.js';

/** The repository root: `python3 -m rtm_emulator` runs from there. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const APP_ID = 'my-app';

/** Start `python3 -m rtm_emulator serve --port 0` (RTM_EMULATOR_PYTHON respected). */
export function startServer(args = []) {
  return startEmulator({ cwd: REPO_ROOT, args, appId: APP_ID });
}

/**
 * One server for the test file: started before its tests, stopped after them, reset
 * before each test.  `onStart(server)` receives it (tests keep it in their own `let`).
 */
export function useServer(onStart, args = []) {
  let server;
  before(async () => {
    server = await startServer(args);
    onStart(server);
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    await server.control.reset();
  });
}

/** Records what one client's listeners receive. */
export class Recorder {
  constructor(rtm) {
    this.presence = [];
    this.links = [];
    rtm.addEventListener('presence', (event) => this.presence.push(event));
    rtm.addEventListener('linkState', (event) => this.links.push(event));
  }

  /** [eventType, publisher] of every presence event so far. */
  types() {
    return this.presence.map((e) => [e.eventType, e.publisher]);
  }

  /** The presence events so far, clearing the record. */
  take() {
    return this.presence.splice(0);
  }

  takeTypes() {
    return this.take().map((e) => [e.eventType, e.publisher]);
  }

  /** [previousState, currentState] of every link-state event so far, clearing them. */
  takeLinks() {
    return this.links.splice(0).map((e) => [e.previousState, e.currentState]);
  }
}

/** A new client of the server (not logged in). */
export function client(server, userId, config = {}) {
  return new AgoraRTM.RTM(APP_ID, userId, { ...config, emulatorUrl: server.url });
}

/** A logged-in client with a Recorder attached before login. */
export async function recorded(server, userId, config = {}) {
  const rtm = client(server, userId, config);
  const events = new Recorder(rtm);
  await rtm.login();
  return { rtm, events };
}

/** `status` is the SDK's ErrorInfo for `operation` and `code`; returns it. */
export function assertErrorInfo(status, operation, code) {
  assert.deepEqual(
    { error: status.error, operation: status.operation, errorCode: status.errorCode },
    { error: true, operation, errorCode: code },
  );
  assert.deepEqual(Object.keys(status).sort(), ['error', 'errorCode', 'operation', 'reason']);
  assert.equal(typeof status.reason, 'string');
  assert.ok(status.reason.length > 0);
  return status;
}

/** Await `promise`, which must reject with the ErrorInfo; returns the error. */
export async function rejects(promise, operation, code) {
  try {
    await promise;
  } catch (status) {
    return assertErrorInfo(status, operation, code);
  }
  assert.fail(`expected ${operation} to fail with ${code}`);
}

/** `value` matches `shape`: a typeof name, an object of exact keys, or a one-item array. */
export function checkShape(value, shape, where = '$') {
  if (Array.isArray(shape)) {
    assert.ok(Array.isArray(value), where);
    value.forEach((item, i) => checkShape(item, shape[0], `${where}[${i}]`));
  } else if (typeof shape === 'object') {
    assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), where);
    assert.deepEqual(Object.keys(value).sort(), Object.keys(shape).sort(), where);
    for (const [key, sub] of Object.entries(shape)) checkShape(value[key], sub, `${where}.${key}`);
  } else {
    assert.equal(typeof value, shape, `${where}: ${JSON.stringify(value)}`);
  }
}
