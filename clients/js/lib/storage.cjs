'use strict';

// rtm.storage (R-ST1..R-ST20): channel and user metadata. Every method is one manifest
// operation of the `storage` home, sent to the server, which makes the SDK's checks in
// its order and answers with the SDK's values; `storage` events arrive as the
// service's other events do.

const { defineServerMethods } = require('./surface.cjs');

/** Channel and user metadata of one client (the SDK's `rtm.storage`). */
class RTMStorage {
  #call;

  constructor(call) {
    this.#call = call;
  }

  // setChannelMetadata … unsubscribeUserMetadata: one method per manifest operation.
  static {
    defineServerMethods(this.prototype, 'storage', (self, row, args) => self.#call(row.wire, args));
  }
}

module.exports = { RTMStorage };
