// VMC's extension, isolated world of a listed page: carries the page's messages to the service
// worker and back. The page hands over a MessagePort; nothing else of the page is read.
(() => {
  let taken = false;
  window.addEventListener('message', (e) => {
    if (e.source !== window || e.data?.vmcRelay !== 'connect' || !e.ports?.[0] || taken) return;
    taken = true; // one connection per page load: the SDK's
    const page = e.ports[0];
    const worker = chrome.runtime.connect({ name: 'vmc' });
    page.postMessage({ type: 'hello' });
    page.onmessage = (m) => worker.postMessage(m.data);
    worker.onMessage.addListener((m) => page.postMessage(m));
    worker.onDisconnect.addListener(() => page.postMessage({ type: 'close', reason: 'the VMC extension closed the connection' }));
  });
  window.postMessage({ vmcRelay: 'ready' }, window.location.origin === 'null' ? '*' : window.location.origin);
})();
