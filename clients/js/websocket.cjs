'use strict';

// A small WebSocket client (RFC 6455) over node:http, for Node runtimes without a global
// `WebSocket` (Node 18 and 20): lib/transport.cjs uses the runtime's own class when
// there is one. It implements the part of the WHATWG `WebSocket` interface the client
// uses: `new WebSocket(url)`, `readyState`, `send(text)`, `close(code?, reason?)`, and
// the `open`, `message`, `error` and `close` events through `addEventListener` /
// `removeEventListener` (an EventTarget, `{ once }` included).
//
// Frames: the client masks every frame it sends (RFC 6455 §5.3); it reads text and
// binary messages of any length (7-bit, 16-bit and 64-bit lengths), fragmented ones
// (continuation frames, control frames in between), answers pings with pongs, and runs
// the closing handshake both ways (§7). No extensions, no subprotocols.

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');

/** RFC 6455 §1.3: the GUID appended to the key for Sec-WebSocket-Accept. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** Close codes (RFC 6455 §7.4.1). */
const NO_STATUS = 1005;
const ABNORMAL = 1006;
const PROTOCOL_ERROR = 1002;
const INVALID_DATA = 1007;
const TOO_BIG = 1009;

/** Largest message this client assembles (a frame or message over it closes with 1009). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** How long `close()` waits for the server's close frame before dropping the TCP link. */
const CLOSE_TIMEOUT_MS = 5_000;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether `code` may appear in a close frame (RFC 6455 §7.4). */
function validWireCode(code) {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

function domException(message, name) {
  return new DOMException(message, name);
}

/** One frame, masked as a client must (RFC 6455 §5.2, §5.3). */
function encodeFrame(opcode, payload) {
  const length = payload.length;
  let header;
  if (length < 126) {
    header = Buffer.alloc(2);
    header[1] = 0x80 | length;
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  header[0] = 0x80 | opcode;
  const mask = crypto.randomBytes(4);
  const body = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += 1) body[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([header, mask, body]);
}

function closePayload(code, reason) {
  if (code === undefined) return Buffer.alloc(0);
  const text = Buffer.from(reason, 'utf8');
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}

/**
 * A WebSocket client connection, shaped like the WHATWG `WebSocket`.
 *
 * The constructor throws a `SyntaxError` DOMException for a URL that is not `ws:` /
 * `wss:` or has a fragment; a connection that fails later (refused, a handshake the
 * server turns down or answers wrongly) fires `error`, then `close` with code 1006.
 */
class WebSocket extends EventTarget {
  static CONNECTING = CONNECTING;
  static OPEN = OPEN;
  static CLOSING = CLOSING;
  static CLOSED = CLOSED;

  #readyState = CONNECTING;
  #url;
  #socket = null;
  #request;
  #buffer = Buffer.alloc(0);
  #fragments = [];
  #fragmentsBytes = 0;
  #fragmentOpcode = -1;
  #closeSent = false;
  #closeReceived = null;
  #closeTimer = null;
  #closeEmitted = false;

  constructor(url) {
    super();
    let parsed;
    try {
      parsed = new URL(String(url));
    } catch {
      throw domException(`Failed to construct 'WebSocket': The URL '${url}' is invalid.`, 'SyntaxError');
    }
    if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
    if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      throw domException(
        `Failed to construct 'WebSocket': The URL's scheme must be either 'ws' or 'wss'. '${parsed.protocol}' is not allowed.`,
        'SyntaxError',
      );
    }
    if (parsed.hash) {
      throw domException(
        `Failed to construct 'WebSocket': The URL contains a fragment identifier ('${parsed.hash}').`,
        'SyntaxError',
      );
    }
    this.#url = parsed.href;
    const key = crypto.randomBytes(16).toString('base64');
    const secure = parsed.protocol === 'wss:';
    const request = (secure ? https : http).request({
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port: parsed.port || (secure ? 443 : 80),
      path: `${parsed.pathname}${parsed.search}`,
      agent: false,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Version': '13',
      },
    });
    this.#request = request;
    request.once('upgrade', (response, socket, head) => this.#onUpgrade(response, socket, head, key));
    request.once('response', (response) => {
      response.resume();
      this.#fail(`Unexpected server response: ${response.statusCode}`);
    });
    request.once('error', (err) => this.#fail(err.message));
    request.end();
  }

  get url() {
    return this.#url;
  }

  get readyState() {
    return this.#readyState;
  }

  get protocol() {
    return '';
  }

  get extensions() {
    return '';
  }

  /** Send a text message (a string) or a binary one (a Buffer, ArrayBuffer or view). */
  send(data) {
    if (this.#readyState === CONNECTING) {
      throw domException("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", 'InvalidStateError');
    }
    if (this.#readyState !== OPEN) return; // as in browsers: dropped once closing
    if (typeof data === 'string') {
      this.#write(OP_TEXT, Buffer.from(data, 'utf8'));
    } else if (ArrayBuffer.isView(data)) {
      this.#write(OP_BINARY, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    } else if (data instanceof ArrayBuffer) {
      this.#write(OP_BINARY, Buffer.from(data));
    } else {
      this.#write(OP_TEXT, Buffer.from(String(data), 'utf8'));
    }
  }

  /**
   * Start the closing handshake. Throws an `InvalidAccessError` DOMException for a code
   * other than 1000 or 3000–4999 and a `SyntaxError` one for a reason over 123 bytes.
   */
  close(code, reason = '') {
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw domException(
        `Failed to execute 'close' on 'WebSocket': The code must be either 1000, or between 3000 and 4999. ${code} is neither.`,
        'InvalidAccessError',
      );
    }
    const text = String(reason);
    if (Buffer.byteLength(text, 'utf8') > 123) {
      throw domException(
        "Failed to execute 'close' on 'WebSocket': The message must not be greater than 123 bytes.",
        'SyntaxError',
      );
    }
    if (this.#readyState === CLOSING || this.#readyState === CLOSED) return;
    if (this.#readyState === CONNECTING) {
      this.#request.destroy();
      this.#fail('WebSocket was closed before the connection was established');
      return;
    }
    this.#readyState = CLOSING;
    this.#sendClose(code, text);
  }

  // ------------------------------------------------------------------ handshake

  #onUpgrade(response, socket, head, key) {
    const expected = crypto.createHash('sha1').update(key + GUID).digest('base64');
    const headers = response.headers;
    let problem = null;
    if (response.statusCode !== 101) problem = `Unexpected server response: ${response.statusCode}`;
    else if (String(headers.upgrade).toLowerCase() !== 'websocket') problem = 'Invalid Upgrade header';
    else if (headers['sec-websocket-accept'] !== expected) problem = 'Invalid Sec-WebSocket-Accept header';
    else if (headers['sec-websocket-extensions']) problem = 'Server sent an extension that was not requested';
    else if (headers['sec-websocket-protocol']) problem = 'Server sent a subprotocol that was not requested';
    if (this.#readyState !== CONNECTING) problem = problem ?? 'closed during the handshake';
    if (problem) {
      socket.destroy();
      this.#fail(problem);
      return;
    }
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', () => {}); // 'close' follows and reports it
    socket.on('close', () => this.#onSocketClose());
    this.#readyState = OPEN;
    this.dispatchEvent(new Event('open'));
    if (head && head.length) this.#onData(head);
  }

  /** The connection could not be made: `error`, then `close` 1006 (WHATWG "fail"). */
  #fail(message) {
    if (this.#readyState === CLOSED) return;
    this.#readyState = CLOSED;
    this.#emitError(message);
    this.#emitClose(ABNORMAL, '', false);
  }

  // --------------------------------------------------------------------- frames

  #write(opcode, payload) {
    this.#socket.write(encodeFrame(opcode, payload));
  }

  #sendClose(code, reason) {
    if (this.#closeSent) return;
    this.#closeSent = true;
    this.#write(OP_CLOSE, closePayload(code, reason));
    this.#closeTimer = setTimeout(() => this.#socket.destroy(), CLOSE_TIMEOUT_MS);
    this.#closeTimer.unref?.();
  }

  /** A protocol violation by the server: send a close frame with `code`, drop the link. */
  #protocolError(code, reason) {
    this.#buffer = Buffer.alloc(0);
    this.#closeReceived = { code: ABNORMAL, reason: '', error: reason };
    if (this.#readyState === OPEN) this.#readyState = CLOSING;
    if (!this.#closeSent) this.#sendClose(code, '');
    this.#socket.end();
  }

  #onData(chunk) {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    while (!this.#closeReceived) {
      const frame = this.#parseFrame();
      if (!frame) return;
      this.#onFrame(frame);
    }
  }

  /** The next whole frame in the buffer, or null; protocol errors close the link. */
  #parseFrame() {
    const buf = this.#buffer;
    if (buf.length < 2) return null;
    const fin = (buf[0] & 0x80) !== 0;
    const rsv = buf[0] & 0x70;
    const opcode = buf[0] & 0x0f;
    const masked = (buf[1] & 0x80) !== 0;
    let length = buf[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buf.length < 4) return null;
      length = buf.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buf.length < 10) return null;
      const big = buf.readBigUInt64BE(2);
      if (big > BigInt(MAX_MESSAGE_BYTES)) {
        this.#protocolError(TOO_BIG, 'frame too large');
        return null;
      }
      length = Number(big);
      offset = 10;
    }
    if (rsv) return this.#fatal(PROTOCOL_ERROR, 'reserved bits set');
    if (masked) return this.#fatal(PROTOCOL_ERROR, 'a server must not mask its frames');
    if (opcode >= 0x8) {
      if (!fin) return this.#fatal(PROTOCOL_ERROR, 'fragmented control frame');
      if (length > 125) return this.#fatal(PROTOCOL_ERROR, 'control frame over 125 bytes');
    }
    if (length > MAX_MESSAGE_BYTES) return this.#fatal(TOO_BIG, 'frame too large');
    if (buf.length < offset + length) return null;
    const payload = buf.subarray(offset, offset + length);
    this.#buffer = buf.subarray(offset + length);
    return { fin, opcode, payload };
  }

  #fatal(code, reason) {
    this.#protocolError(code, reason);
    return null;
  }

  #onFrame({ fin, opcode, payload }) {
    switch (opcode) {
      case OP_TEXT:
      case OP_BINARY:
        if (this.#fragmentOpcode !== -1) return this.#protocolError(PROTOCOL_ERROR, 'expected a continuation frame');
        if (fin) return this.#deliver(opcode, payload);
        this.#fragmentOpcode = opcode;
        this.#fragments = [Buffer.from(payload)];
        this.#fragmentsBytes = payload.length;
        return undefined;
      case OP_CONTINUATION:
        if (this.#fragmentOpcode === -1) return this.#protocolError(PROTOCOL_ERROR, 'unexpected continuation frame');
        this.#fragmentsBytes += payload.length;
        if (this.#fragmentsBytes > MAX_MESSAGE_BYTES) return this.#protocolError(TOO_BIG, 'message too large');
        this.#fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(this.#fragments);
          const kind = this.#fragmentOpcode;
          this.#fragments = [];
          this.#fragmentsBytes = 0;
          this.#fragmentOpcode = -1;
          this.#deliver(kind, whole);
        }
        return undefined;
      case OP_PING:
        if (this.#readyState === OPEN) this.#write(OP_PONG, payload);
        return undefined;
      case OP_PONG:
        return undefined;
      case OP_CLOSE:
        return this.#onCloseFrame(payload);
      default:
        return this.#protocolError(PROTOCOL_ERROR, `unknown opcode ${opcode}`);
    }
  }

  #deliver(opcode, payload) {
    if (this.#readyState !== OPEN) return; // after our close frame, messages are dropped
    let data;
    if (opcode === OP_TEXT) {
      try {
        data = utf8.decode(payload);
      } catch {
        this.#protocolError(INVALID_DATA, 'invalid UTF-8 in a text message');
        return;
      }
    } else {
      data = Buffer.from(payload);
    }
    this.dispatchEvent(new MessageEvent('message', { data, origin: new URL(this.#url).origin }));
  }

  #onCloseFrame(payload) {
    if (this.#closeReceived) return;
    let code = NO_STATUS;
    let reason = '';
    if (payload.length === 1) return this.#protocolError(PROTOCOL_ERROR, 'close frame of 1 byte');
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!validWireCode(code)) return this.#protocolError(PROTOCOL_ERROR, `invalid close code ${code}`);
      try {
        reason = utf8.decode(payload.subarray(2));
      } catch {
        return this.#protocolError(INVALID_DATA, 'invalid UTF-8 in the close reason');
      }
    }
    this.#closeReceived = { code, reason };
    this.#readyState = CLOSING;
    // Echo the code (§5.5.1), then the server closes the TCP connection (§7.1.1).
    this.#sendClose(code === NO_STATUS ? undefined : code, '');
    this.#socket.end();
    return undefined;
  }

  #onSocketClose() {
    clearTimeout(this.#closeTimer);
    this.#readyState = CLOSED;
    const received = this.#closeReceived;
    if (!received) {
      this.#emitClose(ABNORMAL, '', false);
    } else if (received.error) {
      this.#emitError(received.error);
      this.#emitClose(ABNORMAL, '', false);
    } else {
      this.#emitClose(received.code, received.reason, this.#closeSent);
    }
  }

  // --------------------------------------------------------------------- events

  #emitError(message) {
    const event = new Event('error');
    Object.defineProperties(event, {
      message: { value: message, enumerable: true },
      error: { value: new Error(message), enumerable: true },
    });
    this.dispatchEvent(event);
  }

  #emitClose(code, reason, wasClean) {
    if (this.#closeEmitted) return;
    this.#closeEmitted = true;
    const event = new Event('close');
    Object.defineProperties(event, {
      code: { value: code, enumerable: true },
      reason: { value: reason, enumerable: true },
      wasClean: { value: wasClean, enumerable: true },
    });
    this.dispatchEvent(event);
  }
}

for (const [name, value] of Object.entries({ CONNECTING, OPEN, CLOSING, CLOSED })) {
  Object.defineProperty(WebSocket.prototype, name, { value, enumerable: true });
}

module.exports = { WebSocket };
