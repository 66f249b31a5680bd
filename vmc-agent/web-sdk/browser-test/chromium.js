// The one place that starts Chromium for VMC's browser tests (Debian's chromium, driven by
// puppeteer-core): headless, as root without the sandbox, fake devices, optionally with VMC's
// extension loaded. Options: userDataDir, extension (a folder), display (an X display: headful
// under Xvfb, for screenshots), args (more switches).
import { execFileSync } from 'node:child_process';
import puppeteer from 'puppeteer-core';

export function chromiumPath() {
  return process.env.VMC_CHROMIUM ?? execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
}

export async function launchChromium({ userDataDir, extension, display, args = [] } = {}) {
  const switches = [
    '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-sync', '--disable-default-apps',
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required',
    '--disable-features=WebRtcHideLocalIpsWithMdns,DialMediaRouteProvider',
    ...(extension ? [`--disable-extensions-except=${extension}`, `--load-extension=${extension}`] : []),
    ...args,
  ];
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: !display,
    // Headful: the page gets the real window's size (puppeteer would emulate an 800x600 viewport
    // inside it, which no user has, and which would put the page elsewhere than its window says).
    ...(display ? { defaultViewport: null } : {}),
    userDataDir,
    args: switches,
    ignoreDefaultArgs: ['--disable-extensions', '--disable-component-extensions-with-background-pages'],
    env: { ...process.env, ...(display ? { DISPLAY: display } : {}) },
    protocolTimeout: 60000,
  });
}
