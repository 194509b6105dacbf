// Browser globals the SDK bundle touches when it loads and runs in Node (our code, after
// the harness description in the oracle's README). Nothing here reaches the network.
'use strict';

const el = () => ({
  style: {},
  setAttribute() {},
  appendChild() {},
  addEventListener() {},
  removeEventListener() {},
  getContext() {
    return null;
  },
});

function install() {
  const g = globalThis;
  g.window = g;
  g.self = g;
  g.document = {
    createElement: el,
    addEventListener() {},
    removeEventListener() {},
    body: el(),
    head: el(),
    documentElement: el(),
    visibilityState: 'visible',
    hidden: false,
    cookie: '',
    location: { href: 'http://localhost/' },
    getElementsByTagName() {
      return [];
    },
    querySelector() {
      return null;
    },
  };
  g.location = {
    href: 'http://localhost/',
    protocol: 'http:',
    host: 'localhost',
    hostname: 'localhost',
    search: '',
  };
  const store = new Map();
  g.localStorage = {
    getItem: (k) => (store.has(k) ? store.get(k) : null),
    setItem: (k, v) => void store.set(k, String(v)),
    removeItem: (k) => void store.delete(k),
    clear: () => store.clear(),
  };
  g.sessionStorage = g.localStorage;
  g.addEventListener = () => {};
  g.removeEventListener = () => {};
  // Requests never complete: the SDK's HTTP paths (access points, log upload) stay pending.
  g.XMLHttpRequest = class {
    open() {}
    send() {}
    setRequestHeader() {}
    addEventListener() {}
    abort() {}
  };
  g.fetch = () => new Promise(() => {});
  g.RTCPeerConnection = class {};
  g.Worker = class {
    postMessage() {}
    addEventListener() {}
    terminate() {}
  };
  delete g.WebSocket;
  try {
    Object.defineProperty(g, 'navigator', {
      value: { userAgent: 'node', onLine: true, language: 'en', platform: 'node' },
      configurable: true,
      writable: true,
    });
  } catch {
    // Node's own navigator stays.
  }
}

module.exports = { install };
