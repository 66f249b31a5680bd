// Drives Chromium for a Java test: serves pages/ (and JsSIP, and the SDK under /sdk/) on 127.0.0.1:PORT, starts Chromium
// (chromium.js) and answers one JSON command per stdin line with one JSON line on stdout:
//   {"cmd":"goto","name":"alice","url":"..."}            -> {"ok":true}
//   {"cmd":"eval","name":"alice","js":"sip.events"}      -> {"ok":true,"value":...}
//   {"cmd":"pid"}                                        -> {"ok":true,"value":<the browser's pid>}
//   {"cmd":"quit"}
// usage: node drive.js HTTP_PORT USER_DATA_DIR [EXTENSION_DIR]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const [port, userDataDir, extension] = process.argv.slice(2);
const files = { '/jssip.min.js': require.resolve('jssip/dist/jssip.min.js') };
const types = { '.js': 'text/javascript', '.html': 'text/html' };

const sdk = path.join(here, '..', 'src');
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x').pathname;
  // /sdk/*: the SDK's own modules, for pages that import it (`import { VMC } from '/sdk/index.js'`)
  const file = files[url] ?? (url.startsWith('/sdk/') ? path.join(sdk, path.normalize(url.slice(5)))
    : path.join(here, 'pages', path.normalize(url.endsWith('/') ? url + 'index.html' : url)));
  const inside = (dir) => file.startsWith(dir + path.sep);
  if (!inside(path.join(here, 'pages')) && !inside(sdk) && !Object.values(files).includes(file)) { res.writeHead(404); res.end(); return; }
  fs.readFile(file, (err, data) => {
    if (err) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(data);
  });
});
await new Promise((r) => server.listen(Number(port), '127.0.0.1', r));
const browser = await launchChromium({ userDataDir, extension, display: process.env.VMC_DISPLAY });
if (extension) await extensionReady(browser);
const pages = new Map();
/** Waits until VMC's extension has registered its page scripts (at start it reads the policy first). */
async function extensionReady(b) {
  const target = await b.waitForTarget((t) => t.type() === 'service_worker' && t.url().endsWith('/background.js'), { timeout: 30000 });
  const worker = await target.worker();
  worker.on('console', (m) => process.stderr.write(`[extension] ${m.text()}\n`));
  const end = Date.now() + 30000;
  while (Date.now() < end) {
    if ((await worker.evaluate(() => chrome.scripting.getRegisteredContentScripts())).length > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('VMC\'s extension registered no page scripts: is the allowedUrls policy there?');
}
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
out({ ready: true });

for await (const line of readline.createInterface({ input: process.stdin })) {
  let c;
  try {
    c = JSON.parse(line);
    if (c.cmd === 'goto') {
      const page = await browser.newPage();
      page.on('console', (m) => process.stderr.write(`[${c.name}] ${m.text()}\n`));
      page.on('pageerror', (e) => process.stderr.write(`[${c.name}] page error: ${e.message}\n`));
      await page.goto(c.url, { waitUntil: 'load' });
      pages.set(c.name, page);
      out({ ok: true });
    } else if (c.cmd === 'eval') {
      out({ ok: true, value: await pages.get(c.name).evaluate(c.js) ?? null });
    } else if (c.cmd === 'pid') {
      out({ ok: true, value: browser.process().pid });
    } else if (c.cmd === 'quit') {
      break;
    } else {
      out({ ok: false, error: `unknown command ${c.cmd}` });
    }
  } catch (e) {
    out({ ok: false, error: String(e?.stack ?? e) });
  }
}
await browser.close();
server.close();
