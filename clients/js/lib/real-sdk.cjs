'use strict';

// Real-SDK mode (docs/real-sdk.md): `useEmulator(AgoraRTM, {url})` makes the unmodified
// agora-rtm-sdk talk to `rtm-emulator serve`. It replaces the transport methods of the SDK's
// session class (agora-rtm.js 2.3.0, class AG "RTMSession": loginHandler, sendOperationPacket,
// sendOperationPacketUseOneEnv, onOperationPacket, logoutRegistrar) with one WebSocket per
// session (lib/transport.cjs) speaking the `sdk.*` requests of the contract, a local replica
// of the SDK's document store (`dbObj`) and its query client (`syncClient`). Everything else
// (argument checks, errors, event derivation, the link-state machine) stays the SDK's own.
// No SDK code is copied: the shapes below are those the SDK calls, as the oracle harness
// (test/oracle/sdk/harness.js, fake-store.js) documents them.

const { SUPPORTED_SDK_VERSIONS } = require('./real-sdk-versions.cjs');
const { decodePacket, encodePacket, isLong } = require('./real-sdk-codec.cjs');
const { links, SessionLink, subjectOf } = require('./real-sdk-link.cjs');
const { syncClientOf } = require('./real-sdk-replica.cjs');

/** The methods of the session class this module replaces. */
const SEAMS = ['loginHandler', 'sendOperationPacket', 'sendOperationPacketUseOneEnv', 'onOperationPacket', 'logoutRegistrar'];
/** The access-point request of renewToken, replaced where the SDK has it. */
const EDGE_SEAM = 'genApEdgeInfo$';
/** An app id and a user id no app uses, for the throw-away probe client. */
const PROBE_APP = '0123456789abcdef0123456789abcdef';
const PROBE_UID = 'rtm-emulator-real-sdk-probe-9f1c';

// ---------------------------------------------------------------- finding the session class

/** While `fn` runs, the network globals are inert: the probe never reaches a server. */
function withInertNetwork(fn) {
  const g = globalThis;
  const names = ['fetch', 'XMLHttpRequest', 'WebSocket'];
  const saved = names.map((n) => [n, Object.getOwnPropertyDescriptor(g, n)]);
  const inert = {
    fetch: () => new Promise(() => {}),
    XMLHttpRequest: class {
      open() {}
      send() {}
      setRequestHeader() {}
      addEventListener() {}
      removeEventListener() {}
      abort() {}
    },
    WebSocket: class {
      constructor() {
        this.readyState = 0;
      }
      addEventListener() {}
      removeEventListener() {}
      send() {}
      close() {}
    },
  };
  for (const n of names) Object.defineProperty(g, n, { value: inert[n], configurable: true, writable: true });
  try {
    return fn();
  } finally {
    for (const [n, d] of saved) {
      if (d) Object.defineProperty(g, n, d);
      else delete g[n];
    }
  }
}

/**
 * A throw-away client's login() constructs the session class (agora-rtm.js 2.3.0: RTMImpl's
 * login makes `new AG(...)`); it is cancelled at once. Returns {AG, Subject}.
 */
function probeSessionClass(AgoraRTM) {
  return withInertNetwork(() => {
    const probe = new AgoraRTM.RTM(PROBE_APP, PROBE_UID, { logLevel: 'none', logUpload: false });
    const attempt = probe.login();
    attempt?.catch?.(() => {});
    const impl = probe._rtmImpl;
    const session = impl?._rtmSession;
    const AG = session?.constructor;
    const Subject = impl?._notifyChannelReSub?.constructor;
    // the SDK's rxjs ReplaySubject (its connection's `lastOpenSockets: [new _A(1), new _A(1)]`)
    const ReplaySubject = session?.connectionController?.connection?.lastOpenSockets?.[0]?.constructor ?? null;
    try {
      session?.cancelLogin?.();
    } catch {
      // a probe that could not start logging in has nothing to cancel
    }
    Promise.resolve(attempt)
      .catch(() => {})
      .then(() => probe.logout?.())
      .catch(() => {});
    if (typeof AG !== 'function' || !SEAMS.every((m) => typeof AG.prototype[m] === 'function')) {
      throw new Error(`useEmulator: cannot find agora-rtm-sdk's session class (${AgoraRTM.VERSION}): the SDK's internals are not the expected ones`);
    }
    if (typeof Subject !== 'function') throw new Error('useEmulator: cannot find the SDK\'s Subject class');
    return { AG, Subject, ReplaySubject };
  });
}

// ---------------------------------------------------------------- the setup call

const installed = new WeakMap();
/** The setup of each AgoraRTM object (its handle). */
const installedOn = new WeakMap();

/**
 * Make every later `new AgoraRTM.RTM(...)` of this SDK log in to the emulator at `url`.
 * Throws when the SDK's VERSION is not supported. Returns {version, url, restore()}.
 */
async function useEmulator(AgoraRTM, options = {}) {
  const version = AgoraRTM?.VERSION;
  if (!SUPPORTED_SDK_VERSIONS.includes(version)) {
    throw new Error(
      `useEmulator: agora-rtm-sdk ${version === undefined ? '(no VERSION)' : JSON.stringify(version)} is not supported by real-SDK mode; supported versions: ${SUPPORTED_SDK_VERSIONS.join(', ')}`,
    );
  }
  const url = options.url ?? globalThis.process?.env?.RTM_EMULATOR_URL ?? globalThis.RTM_EMULATOR_URL;
  if (!url) throw new Error('useEmulator: no emulator url (pass {url}, or set RTM_EMULATOR_URL)');
  // a second setup of this SDK: its own methods first, so that the probe's login stays
  // inert (through the first setup's seams it would log in to that emulator)
  installedOn.get(AgoraRTM)?.restore();
  const { AG, Subject, ReplaySubject } = probeSessionClass(AgoraRTM);
  const previous = installed.get(AG);
  if (previous) previous.restore();
  const setup = { url, version, Subject, ReplaySubject, Long: null };
  const seams = [...SEAMS, ...(typeof AG.prototype[EDGE_SEAM] === 'function' && ReplaySubject ? [EDGE_SEAM] : [])];
  const originals = Object.fromEntries(seams.map((m) => [m, Object.getOwnPropertyDescriptor(AG.prototype, m)]));
  const learnLong = (session, payload) => {
    if (setup.Long) return;
    const seq = session?.context?.seq;
    if (isLong(seq) && typeof seq.constructor?.fromString === 'function') setup.Long = seq.constructor;
    else if (payload && typeof payload === 'object') {
      for (const v of Object.values(payload)) {
        if (isLong(v) && typeof v.constructor?.fromString === 'function') {
          setup.Long = v.constructor;
          break;
        }
      }
    }
  };
  const linkOf = (session) => session.__rtmEmulatorLink ?? null;

  AG.prototype.loginHandler = function loginHandler() {
    const session = this;
    learnLong(session);
    linkOf(session)?.close().catch(() => {});
    const link = new SessionLink(setup, session);
    session.__rtmEmulatorLink = link;
    session.dbObj = link.db;
    session.syncClient = syncClientOf(link);
    const cc = session.connectionController;
    const login = link.connect().then(
      () => {
        if (cc) cc.syncEstablishState = 'CONNECTED';
        link.loggedIn();
        link.flush();
        setTimeout(() => session.context.internalEmitter.emit('connectedDatabase'), 0);
        return { env: 0, name: 'rtm-emulator' };
      },
      async (err) => {
        await link.close().catch(() => {});
        const code = err?.serverCode ?? err?.code;
        const ap = cc?.connection?.apClient;
        if (typeof code === 'number' && code > 0 && ap?.handleUniLbsError) return ap.handleUniLbsError(code, url).toPromise();
        throw err;
      },
    );
    login.catch(() => {});
    return { toPromise: () => login };
  };
  AG.prototype.sendOperationPacket = function sendOperationPacket(_op, name, payload) {
    learnLong(this, payload);
    linkOf(this)?.send('sdk.packet', { name, payload: encodePacket(payload) });
  };
  AG.prototype.sendOperationPacketUseOneEnv = function sendOperationPacketUseOneEnv(op, _env, name, payload) {
    this.sendOperationPacket(op, name, payload);
  };
  AG.prototype.onOperationPacket = function onOperationPacket(name) {
    return subjectOf(this, Subject, name);
  };
  if (seams.includes(EDGE_SEAM)) {
    // renewToken asks Agora's access point for an edge first (agora-rtm.js 2.3.0,
    // AG#genApEdgeInfo$): here the emulator is the edge, so nothing reaches the network; the
    // renewal itself is a packet (UserRenewToken2Req) like any other.
    AG.prototype[EDGE_SEAM] = function genApEdgeInfo() {
      const session = this;
      const edge = new ReplaySubject(1);
      const link = linkOf(session);
      if (!link) {
        edge.next({ ip: url, ticket: '' });
        return edge;
      }
      // D-RS11: sdk.renew is the access point's check of the new token (context.token)
      link.request('sdk.renew', { token: session.context.token }).then(
        (answer) => {
          link.ticket = answer?.ticket ?? link.ticket;
          edge.next({ ip: url, ticket: link.ticket ?? '' });
        },
        (err) => {
          const code = err?.serverCode ?? err?.code;
          const ap = session.connectionController?.connection?.apClient;
          if (typeof code === 'number' && code > 0 && ap?.handleUniLbsError) ap.handleUniLbsError(code, url).subscribe(edge);
          else edge.error(err);
        },
      );
      return edge;
    };
  }
  AG.prototype.logoutRegistrar = async function logoutRegistrar() {
    await linkOf(this)?.logout();
  };
  const handle = {
    version,
    url,
    restore() {
      if (installed.get(AG) !== handle) return;
      for (const [m, d] of Object.entries(originals)) Object.defineProperty(AG.prototype, m, d);
      installed.delete(AG);
      if (installedOn.get(AgoraRTM) === handle) installedOn.delete(AgoraRTM);
    },
  };
  installed.set(AG, handle);
  installedOn.set(AgoraRTM, handle);
  return handle;
}

/** Resolves once every request the real-SDK sessions of this runtime sent so far is answered. */
async function inFlight() {
  for (let i = 0; i < 50; i += 1) {
    const all = [...links].flatMap((l) => [...l.pending]);
    if (!all.length) return;
    await Promise.allSettled(all);
  }
}

/** Close every real-SDK session socket of this runtime (a network loss for sessions still logged in). */
async function closeAll() {
  await Promise.all([...links].map((l) => l.close().catch(() => {})));
}

module.exports = { SUPPORTED_SDK_VERSIONS, closeAll, decodePacket, encodePacket, inFlight, useEmulator };
