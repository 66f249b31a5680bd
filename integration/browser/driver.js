'use strict';
// Starts headless Chromium with fake devices fed from files, opens peer.html and relays calls to
// the page's window.peer. The Java side (io.vmc.it.browser.ChromiumPeer) writes one JSON request
// per line on stdin, {"id": 1, "call": "offer", "args": [{...}]}, and reads one line per reply on
// stdout, {"id": 1, "result": ...} or {"id": 1, "error": "..."}. The first line is
// {"ready": true, "version": "..."}. The page's console goes to stderr. End of stdin closes the browser.
//
//   node driver.js --chromium PATH --audio FILE.wav --video FILE.y4m --profile DIR

const path = require('node:path');
const readline = require('node:readline');
const {pathToFileURL} = require('node:url');
const puppeteer = require('puppeteer-core');

function options(argv) {
  const o = {};
  for (let i = 2; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error('usage: --name value pairs, got ' + argv[i]);
    o[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ['chromium', 'audio', 'video', 'profile']) if (!o[k]) throw new Error('missing --' + k);
  return o;
}

function reply(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

async function main() {
  const o = options(process.argv);
  const args = [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--use-file-for-fake-audio-capture=' + o.audio,
    '--use-file-for-fake-video-capture=' + o.video,
    '--autoplay-policy=no-user-gesture-required',
    // Background timers would otherwise be throttled in a page nobody looks at.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--no-first-run',
  ];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox'); // Chromium refuses root otherwise
  const browser = await puppeteer.launch({
    executablePath: o.chromium, headless: true, args, userDataDir: o.profile,
    // The Java side ends us by closing stdin; signals go to the whole process group.
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  const page = await browser.newPage();
  page.on('console', m => process.stderr.write('page: ' + m.text() + '\n'));
  page.on('pageerror', e => process.stderr.write('page error: ' + e.message + '\n'));
  await page.goto(pathToFileURL(path.join(__dirname, 'peer.html')).href);
  reply({ready: true, version: await browser.version()});

  const lines = readline.createInterface({input: process.stdin});
  let queue = Promise.resolve();
  lines.on('line', line => {
    // One request at a time, in order: the page's state changes with each.
    queue = queue.then(async () => {
      let request;
      try {
        request = JSON.parse(line);
        const result = await page.evaluate((call, callArgs) => window.peer[call](...callArgs),
          request.call, request.args || []);
        reply({id: request.id, result: result === undefined ? null : result});
      } catch (e) {
        reply({id: request ? request.id : null, error: String(e && e.message || e)});
      }
    });
  });
  lines.on('close', () => {
    queue.then(() => browser.close()).finally(() => process.exit(0));
  });
}

main().catch(e => {
  process.stderr.write('driver: ' + (e && e.stack || e) + '\n');
  process.exit(1);
});
