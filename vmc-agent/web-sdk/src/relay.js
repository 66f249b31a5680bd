// The page's side of the extension's relay: the page talks to agentd through a MessagePort
// that the extension's content script holds; the extension's service worker holds the
// WebSocket and the secret, which the page never sees.

/** How long a page waits for the extension's relay before it runs without VMC. */
export const RELAY_TIMEOUT_MS = 2000;

export function relayLink(win, timeoutMs = RELAY_TIMEOUT_MS) {
  const offered = [];
  const closeOthers = () => offered.filter((p) => p !== port).forEach((p) => p.close());
  const link = {
    onopen() {}, onmessage() {}, onclose() {},
    send: (t) => port?.postMessage({ type: 'send', text: t }),
    close: () => {
      port?.postMessage({ type: 'close' });
      offered.forEach((p) => p.close());
    },
  };
  let port = null;
  let hello = false;
  const target = win.location.origin === 'null' ? '*' : win.location.origin;
  const offer = () => {
    const channel = new win.MessageChannel();
    offered.push(channel.port1);
    channel.port1.onmessage = (m) => {
      const d = m.data ?? {};
      // Offers may cross the relay's 'ready': the port the relay took is the one that says hello.
      if (d.type === 'hello' && !hello) {
        hello = true;
        port = channel.port1;
        closeOthers();
      } else if (d.type === 'open') link.onopen();
      else if (d.type === 'message') link.onmessage(String(d.text));
      else if (d.type === 'close') link.onclose(String(d.reason ?? 'closed'));
    };
    win.postMessage({ vmcRelay: 'connect' }, target, [channel.port2]);
  };
  // The extension's content script may start after this one: it says 'ready', and we offer again.
  const onReady = (e) => {
    if (e.source === win && e.data?.vmcRelay === 'ready' && !hello) offer();
  };
  win.addEventListener('message', onReady);
  offer();
  setTimeout(() => {
    win.removeEventListener('message', onReady);
    if (hello) return;
    closeOthers();
    link.onclose('no VMC extension on this page');
  }, timeoutMs);
  return link;
}
