'use strict';

// Events: the SDK's EventEmitter (the `events` package's API and its errors, the
// newListener / removeListener events, the max-listeners warning), the SDK's emitter
// that catches and logs a listener's exception (TrackedEmitter), and the hidden
// addListener / removeListener of the SDK's client and stream channel.

let defaultMaxListeners = 10;

function checkListenerFunction(listener) {
  if (typeof listener !== 'function') {
    throw new TypeError(
      `The "listener" argument must be of type Function. Received type ${typeof listener}`,
    );
  }
}

function checkCount(n, what) {
  if (typeof n !== 'number' || n < 0 || Number.isNaN(n)) {
    throw new RangeError(
      `The value of "${what}" is out of range. It must be a non-negative number. Received ${n}.`,
    );
  }
}

/**
 * The SDK's EventEmitter (the `events` package's API, as in Node): `on` / `addListener`,
 * `prependListener`, `once`, `prependOnceListener`, `off` / `removeListener`,
 * `removeAllListeners`, `emit`, `listeners`, `rawListeners`, `listenerCount`,
 * `eventNames`, `setMaxListeners`, `getMaxListeners`; the `newListener` and
 * `removeListener` events; `emit('error')` without a listener throws.
 */
class EventEmitter {
  #events = new Map();
  #maxListeners = undefined;

  static get defaultMaxListeners() {
    return defaultMaxListeners;
  }

  static set defaultMaxListeners(n) {
    checkCount(n, 'defaultMaxListeners');
    defaultMaxListeners = n;
  }

  setMaxListeners(n) {
    checkCount(n, 'n');
    this.#maxListeners = n;
    return this;
  }

  getMaxListeners() {
    return this.#maxListeners === undefined ? defaultMaxListeners : this.#maxListeners;
  }

  emit(eventName, ...args) {
    const list = this.#events.get(eventName);
    if (eventName === 'error' && list === undefined) {
      const [err] = args;
      if (err instanceof Error) throw err;
      const unhandled = new Error(`Unhandled error.${err ? ` (${err.message})` : ''}`);
      unhandled.context = err;
      throw unhandled;
    }
    if (list === undefined) return false;
    for (const listener of [...list]) listener.apply(this, args);
    return true;
  }

  addListener(eventName, listener) {
    return this.#add(eventName, listener, false);
  }

  prependListener(eventName, listener) {
    return this.#add(eventName, listener, true);
  }

  once(eventName, listener) {
    checkListenerFunction(listener);
    this.on(eventName, this.#onceWrapper(eventName, listener));
    return this;
  }

  prependOnceListener(eventName, listener) {
    checkListenerFunction(listener);
    this.prependListener(eventName, this.#onceWrapper(eventName, listener));
    return this;
  }

  removeListener(eventName, listener) {
    checkListenerFunction(listener);
    return this.#remove(eventName, listener);
  }

  removeAllListeners(...args) {
    const hasRemoveListener = this.#events.has('removeListener');
    if (args.length === 0) {
      if (hasRemoveListener) {
        for (const name of [...this.#events.keys()]) {
          if (name !== 'removeListener') this.#removeAll(name);
        }
        this.#removeAll('removeListener');
      }
      this.#events = new Map();
    } else if (hasRemoveListener) {
      this.#removeAll(args[0]);
    } else {
      this.#events.delete(args[0]);
    }
    return this;
  }

  listeners(eventName) {
    return (this.#events.get(eventName) ?? []).map((fn) => fn.listener ?? fn);
  }

  rawListeners(eventName) {
    return [...(this.#events.get(eventName) ?? [])];
  }

  listenerCount(eventName) {
    return this.#events.get(eventName)?.length ?? 0;
  }

  eventNames() {
    return [...this.#events.keys()];
  }

  #add(eventName, listener, prepend) {
    checkListenerFunction(listener);
    if (this.#events.has('newListener')) {
      this.emit('newListener', eventName, listener.listener ?? listener);
    }
    let list = this.#events.get(eventName);
    if (list === undefined) {
      list = [];
      this.#events.set(eventName, list);
    }
    if (prepend) list.unshift(listener);
    else list.push(listener);
    const max = this.getMaxListeners();
    if (max > 0 && list.length > max && !list.warned) {
      list.warned = true;
      const warning = new Error(
        `Possible EventEmitter memory leak detected. ${list.length} ${String(eventName)} listeners added. Use emitter.setMaxListeners() to increase limit`,
      );
      warning.name = 'MaxListenersExceededWarning';
      warning.emitter = this;
      warning.type = eventName;
      warning.count = list.length;
      globalThis.console?.warn?.(warning);
    }
    return this;
  }

  #remove(eventName, listener) {
    const list = this.#events.get(eventName);
    if (list === undefined) return this;
    let at = -1;
    for (let i = list.length - 1; i >= 0; i -= 1) {
      if (list[i] === listener || list[i].listener === listener) {
        at = i;
        break;
      }
    }
    if (at < 0) return this;
    const [removed] = list.splice(at, 1);
    if (list.length === 0) this.#events.delete(eventName);
    if (this.#events.has('removeListener')) {
      this.emit('removeListener', eventName, removed.listener ?? listener);
    }
    return this;
  }

  #removeAll(eventName) {
    const list = this.#events.get(eventName);
    if (list === undefined) return;
    for (let i = list.length - 1; i >= 0; i -= 1) this.#remove(eventName, list[i]);
  }

  #onceWrapper(eventName, listener) {
    let fired = false;
    const target = this;
    function wrapper(...args) {
      if (fired) return undefined;
      // Through the public method, as the SDK's emitter does: on the client and stream
      // channels, whose removeListener is hidden, a `once` listener throws when fired.
      target.removeListener(eventName, wrapper);
      fired = true;
      return listener.apply(target, args);
    }
    wrapper.listener = listener;
    return wrapper;
  }
}

EventEmitter.prototype.on = EventEmitter.prototype.addListener;
EventEmitter.prototype.off = EventEmitter.prototype.removeListener;

/**
 * The SDK's emitters wrap `emit`: a listener that throws is caught and logged ("Caught in
 * the callback function of the event ..."), the listeners after it do not run, and
 * `emit` returns false; otherwise it returns true, listeners or not.
 */
class TrackedEmitter extends EventEmitter {
  #logs;

  constructor(logs) {
    super();
    this.#logs = logs;
  }

  emit(eventName, ...args) {
    try {
      super.emit(eventName, ...args);
      return true;
    } catch (err) {
      if (this.#logs()) {
        globalThis.console?.error?.(
          `rtm-emulator-client: Caught in the callback function of the event ${String(eventName)}.`,
          err,
        );
      }
      return false;
    }
  }
}

/** Like the SDK's client and stream channel: `addListener` / `removeListener` are hidden. */
function banOriginListeners(emitter) {
  for (const name of ['addListener', 'removeListener']) {
    Object.defineProperty(emitter, name, {
      value: undefined,
      writable: false,
      enumerable: false,
      configurable: false,
    });
  }
}

module.exports = { banOriginListeners, EventEmitter, TrackedEmitter };
