// One connection to agentd's web API (docs/web-api.md): vmc.v1 as JSON, one Envelope body per
// text message. Requests get exactly one response each; events go to listeners.

export const SUBPROTOCOL = 'vmc.v1.json';
export const SECRET_PREFIX = 'vmc.secret.';
/** agentd answers every request within the engine's 10 s deadline; wait a little longer. */
export const REQUEST_TIMEOUT_MS = 15000;
/** agentd's own limit (256 KiB of UTF-8): refuse to send more than it would accept. */
export const MAX_MESSAGE_CHARS = 256 * 1024;

/** A vmc.v1 error response, with the code agentd gave ("NOT_FOUND", "FAILED_PRECONDITION"...). */
export class VmcError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.name = 'VmcError';
    this.code = code;
  }
}

/**
 * A message channel to agentd: `send(text)`, `close()`, and callbacks `onopen`, `onmessage(text)`,
 * `onclose(reason)`. Two kinds exist: a WebSocket that holds the secret (Electron, a page the
 * admin gave a secret, node) and the extension's relay, where the page never sees the secret.
 */
export function webSocketLink(url, secret, WebSocketImpl = globalThis.WebSocket) {
  const ws = new WebSocketImpl(url, [SUBPROTOCOL, SECRET_PREFIX + secret]);
  const link = { onopen() {}, onmessage() {}, onclose() {}, send: (t) => ws.send(t), close: () => ws.close() };
  ws.onopen = () => link.onopen();
  ws.onmessage = (m) => link.onmessage(typeof m.data === 'string' ? m.data : String(m.data));
  // A refused handshake (401/403) shows scripts only a close: that is all a page may learn.
  ws.onclose = (e) => link.onclose(`closed (${e.code ?? 'no code'}${e.reason ? ': ' + e.reason : ''})`);
  ws.onerror = () => {};
  return link;
}

/** Requests, responses and events over a link; `open` resolves once the link is up. */
export class Connection {
  constructor(link, { timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    this.link = link;
    this.timeoutMs = timeoutMs;
    this.pending = new Map();
    this.listeners = new Set();
    this.nextId = 1;
    this.closed = false;
    this.open = new Promise((resolve, reject) => {
      link.onopen = resolve;
      link.onclose = (reason) => {
        reject(new VmcError('UNAVAILABLE', `the VMC web API is not reachable: ${reason}`));
        this.shutdown(reason);
      };
    });
    this.open.catch(() => {});
    link.onmessage = (text) => this.receive(text);
  }

  /** Sends one request, e.g. `call('createOffer', {sessionId})`; resolves with the result's body. */
  async call(method, fields = {}) {
    await this.open;
    if (this.closed) throw new VmcError('UNAVAILABLE', 'the VMC connection is closed');
    const id = String(this.nextId++);
    const text = JSON.stringify({ request: { id, [method]: fields } });
    if (text.length > MAX_MESSAGE_CHARS) throw new VmcError('INVALID_ARGUMENT', `${method} is ${text.length} characters, more than the web API's ${MAX_MESSAGE_CHARS}`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VmcError('DEADLINE_EXCEEDED', `no answer to ${method} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.link.send(text);
    });
  }

  /** `listener(kind, body)` for every event, e.g. ('sessionState', {sessionId, state}). Returns an unsubscribe function. */
  onEvent(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return; // agentd sends only JSON; anything else is not ours to act on
    }
    if (message && typeof message.response === 'object' && message.response) {
      const { id, ...result } = message.response;
      const p = this.pending.get(String(id));
      if (!p) return;
      this.pending.delete(String(id));
      clearTimeout(p.timer);
      if (result.error) p.reject(new VmcError(result.error.code || 'CODE_UNSPECIFIED', result.error.message || ''));
      else p.resolve(Object.values(result)[0] ?? {});
    } else if (message && typeof message.event === 'object' && message.event) {
      for (const [kind, body] of Object.entries(message.event)) {
        for (const l of [...this.listeners]) {
          try {
            l(kind, body ?? {});
          } catch (e) {
            setTimeout(() => { throw e; }); // an app's listener must not break the others
          }
        }
      }
    }
  }

  shutdown(reason) {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new VmcError('UNAVAILABLE', `the VMC connection closed: ${reason}`));
    }
    this.pending.clear();
    for (const l of [...this.listeners]) l('closed', { reason });
  }

  close() {
    this.link.close();
    this.shutdown('closed by the app');
  }
}
