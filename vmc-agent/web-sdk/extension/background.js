// VMC's extension, service worker: (1) injects the drop-in SDK into the pages the admin lists
// (managed policy "allowedUrls"), (2) connects each such page to agentd's web API with the
// user's secret, which it gets from VMC's native messaging host and never gives to the page.
const HOST = 'io.vmc.agent';
const SCRIPTS = ['vmc-relay', 'vmc-main'];
/** agentd's message limit (256 KiB): the relay refuses bigger ones before they reach it. */
const MAX_TEXT = 256 * 1024;

let allowed = [];
let connectionInfo = null; // {url, secret} from the native host, cached while it works

// Startup, install and policy changes may come together: one registration at a time.
let registering = Promise.resolve();
function registerScripts() {
  registering = registering.then(register, register);
  return registering;
}

async function register() {
  const { allowedUrls } = await chrome.storage.managed.get('allowedUrls').catch(() => ({}));
  allowed = Array.isArray(allowedUrls) ? allowedUrls.filter((u) => typeof u === 'string') : [];
  const old = await chrome.scripting.getRegisteredContentScripts({ ids: SCRIPTS });
  if (old.length) await chrome.scripting.unregisterContentScripts({ ids: old.map((s) => s.id) });
  if (!allowed.length) return;
  try {
    // The relay (isolated world) first, then the SDK in the page's own world, both before the page's scripts.
    await chrome.scripting.registerContentScripts([
      { id: 'vmc-relay', js: ['relay.js'], matches: allowed, runAt: 'document_start', allFrames: false, persistAcrossSessions: false },
      { id: 'vmc-main', js: ['vmc-main.js'], matches: allowed, runAt: 'document_start', allFrames: false, world: 'MAIN', persistAcrossSessions: false },
    ]);
  } catch (e) {
    console.error(`VMC: cannot register the page scripts for the admin's allowedUrls: ${e.message}`);
  }
}

chrome.runtime.onInstalled.addListener(registerScripts);
chrome.runtime.onStartup.addListener(registerScripts);
chrome.storage.onChanged.addListener((_, area) => { if (area === 'managed') registerScripts(); });
registerScripts();

function askHost(refresh) {
  return new Promise((resolve, reject) => {
    chrome.runtime.sendNativeMessage(HOST, refresh ? { type: 'getConnection', refresh: true } : { type: 'getConnection' }, (answer) => {
      if (chrome.runtime.lastError) reject(new Error(chrome.runtime.lastError.message));
      else if (answer?.type === 'connection' && answer.url && answer.secret) resolve({ url: answer.url, secret: answer.secret });
      else reject(new Error(answer?.message ?? 'no answer from the VMC native host'));
    });
  });
}

function open(info) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(info.url, ['vmc.v1.json', 'vmc.secret.' + info.secret]);
    ws.onopen = () => resolve(ws);
    ws.onclose = () => reject(new Error('agentd refused or closed the connection'));
  });
}

/** A WebSocket to agentd; after a refusal (a new key since the VM rebooted) asks the host again once. */
async function connectAgentd() {
  if (!connectionInfo) connectionInfo = await askHost(false);
  try {
    return await open(connectionInfo);
  } catch {
    connectionInfo = await askHost(true);
    return open(connectionInfo);
  }
}

const matches = (url) => allowed.some((pattern) => {
  const re = new RegExp('^' + pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
  return re.test(url);
});

chrome.runtime.onConnect.addListener(async (port) => {
  if (port.name !== 'vmc') return;
  await registering;
  // Only the relay we injected connects; check the page anyway in case the policy just changed.
  if (!port.sender?.url || !matches(port.sender.url)) {
    port.postMessage({ type: 'close', reason: 'this page is not on the admin\'s list' });
    port.disconnect();
    return;
  }
  let ws = null;
  let closed = false;
  const queue = [];
  port.onDisconnect.addListener(() => { closed = true; ws?.close(); });
  port.onMessage.addListener((m) => {
    if (m?.type === 'close') { port.disconnect(); ws?.close(); closed = true; return; }
    if (m?.type !== 'send' || typeof m.text !== 'string' || m.text.length > MAX_TEXT) return;
    if (ws) ws.send(m.text);
    else queue.push(m.text);
  });
  try {
    ws = await connectAgentd();
  } catch (e) {
    if (!closed) {
      port.postMessage({ type: 'close', reason: e.message });
      port.disconnect();
    }
    return;
  }
  if (closed) { ws.close(); return; }
  ws.onmessage = (m) => { if (!closed) port.postMessage({ type: 'message', text: String(m.data) }); };
  ws.onclose = (e) => {
    if (closed) return;
    closed = true;
    port.postMessage({ type: 'close', reason: `agentd closed the connection (${e.code})` });
    port.disconnect();
  };
  for (const t of queue.splice(0)) ws.send(t);
  port.postMessage({ type: 'open' });
});
