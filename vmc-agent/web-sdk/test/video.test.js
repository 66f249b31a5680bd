import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeGeometry, readSnapshot, subtract, VideoMapping } from '../src/video.js';
import { elementWindow } from './fake-dom.js';
import { until } from './fake-agentd.js';

const base = {
  element: { x: 100, y: 50, width: 320, height: 240 }, viewport: { width: 1280, height: 720 }, covers: [],
  devicePixelRatio: 1, screenX: 0, screenY: 0, outerWidth: 1280, outerHeight: 720, screen: { width: 1920, height: 1080 },
};

test('an unscrolled element in a window at the desktop origin: its own rectangle, all visible', () => {
  assert.deepEqual(computeGeometry(base), { area: { x: 100, y: 50, width: 320, height: 240 }, visible: [], visibleAll: true, screenWidth: 1920, screenHeight: 1080 });
});

test('the window\'s position and its toolbars move the area on the desktop', () => {
  const g = computeGeometry({ ...base, screenX: 200, screenY: 100, outerWidth: 1284, outerHeight: 810 });
  // 2 px borders left and right, 810 - 720 - 2 = 88 px of toolbars on top
  assert.deepEqual(g.area, { x: 302, y: 238, width: 320, height: 240 });
});

test('devicePixelRatio 2 (a HiDPI desktop) doubles everything in device pixels', () => {
  const g = computeGeometry({ ...base, devicePixelRatio: 2, systemScale: 2, screenX: 10, screenY: 20, outerWidth: 1280, outerHeight: 720 });
  assert.deepEqual(g.area, { x: 220, y: 140, width: 640, height: 480 });
  assert.equal(g.screenWidth, 3840);
});

test('browser zoom 150 %: CSS pixels are 1.5 device pixels and the viewport has fewer of them', () => {
  const g = computeGeometry({ ...base, devicePixelRatio: 1.5, viewport: { width: 853, height: 480 } });
  assert.deepEqual(g.area, { x: 150, y: 75, width: 480, height: 360 });
});

test('scrolled half out of the viewport: the visible region is the part inside', () => {
  const g = computeGeometry({ ...base, element: { x: 100, y: -120, width: 320, height: 240 } });
  assert.equal(g.visibleAll, false);
  assert.deepEqual(g.visible, [{ x: 100, y: 0, width: 320, height: 120 }]);
});

test('an element over the video (a menu) is cut out of the visible region', () => {
  const g = computeGeometry({ ...base, covers: [{ x: 300, y: 40, width: 200, height: 100 }] });
  assert.equal(g.visibleAll, false);
  const area = g.visible.reduce((a, r) => a + r.width * r.height, 0);
  assert.equal(area, 320 * 240 - 120 * 90);
  for (const r of g.visible) assert.ok(r.x + r.width <= 300 || r.y >= 140, JSON.stringify(r));
});

test('hidden tab, display:none or scrolled away: hidden (no visible region)', () => {
  for (const s of [{ ...base, hidden: true }, { ...base, element: { x: 0, y: 0, width: 0, height: 0 } }, { ...base, element: { x: 100, y: 900, width: 320, height: 240 } }]) {
    const g = computeGeometry(s);
    assert.deepEqual([g.visible, g.visibleAll], [[], false]);
  }
});

test('an origin the app gives (setClientAreaOffset) wins over the window\'s estimate', () => {
  assert.deepEqual(computeGeometry({ ...base, screenX: 500, origin: { x: 7, y: 9 } }).area, { x: 107, y: 59, width: 320, height: 240 });
});

// The guest's desktop: monitor 1 is 1024x768 at 0,0, monitor 2 800x600 at 1024,0; the browser window
// is on monitor 2, 76 px from its left edge. What the browser tells: screenX on the desktop, screen
// (the window's monitor) with its size and, as availLeft/availTop in Chromium, its origin.
const onSecond = {
  ...base, viewport: { width: 640, height: 480 }, screenX: 1100, screenY: 40, outerWidth: 640, outerHeight: 480,
  screen: { width: 800, height: 600, left: 1024, top: 0 },
};

test('on the second monitor, without a monitor: desktop coordinates, no monitor field (the engine finds it)', () => {
  const g = computeGeometry(onSecond);
  assert.deepEqual(g.area, { x: 1200, y: 90, width: 320, height: 240 });
  assert.equal('monitor' in g, false);
});

test('on the second monitor with monitor 2: the area, the visible parts and the screen size are that monitor\'s own', () => {
  const g = computeGeometry({ ...onSecond, monitor: 2, covers: [{ x: 100, y: 50, width: 100, height: 240 }] });
  assert.equal(g.monitor, 2);
  assert.deepEqual(g.area, { x: 176, y: 90, width: 320, height: 240 });
  assert.deepEqual([g.screenWidth, g.screenHeight], [800, 600]);
  assert.deepEqual(g.visible, [{ x: 276, y: 90, width: 220, height: 240 }]);
  // an origin the app gives is on the desktop too: the monitor's origin comes off it as well
  assert.deepEqual(computeGeometry({ ...onSecond, monitor: 2, origin: { x: 1100, y: 40 } }).area, { x: 176, y: 90, width: 320, height: 240 });
  // HiDPI: the monitor's origin is in screen pixels like screenX, scaled alike
  const hi = computeGeometry({ ...onSecond, monitor: 2, devicePixelRatio: 2, systemScale: 2, viewport: { width: 320, height: 240 }, outerWidth: 320, outerHeight: 240 });
  assert.deepEqual(hi.area, { x: 352, y: 180, width: 640, height: 480 });
  assert.deepEqual([hi.screenWidth, hi.screenHeight], [1600, 1200]);
});

test('the monitor\'s origin: ScreenDetails when the app gives it, else left/top, else Chromium\'s availLeft/availTop', () => {
  const { win, el } = elementWindow();
  win.screen = { width: 800, height: 600, availLeft: 1024, availTop: 27 }; // a panel on top of this monitor
  assert.deepEqual(readSnapshot(el, win, undefined, 2).screen, { width: 800, height: 600, left: 1024, top: 27 });
  win.screen = { width: 800, height: 600, left: 1024, top: 0, availLeft: 1024, availTop: 27 };
  assert.deepEqual(readSnapshot(el, win, undefined, 2).screen, { width: 800, height: 600, left: 1024, top: 0 });
  const details = { currentScreen: { width: 1280, height: 1024, left: -1280, top: 0 } };
  assert.deepEqual(readSnapshot(el, win, undefined, 2, details).screen, { width: 1280, height: 1024, left: -1280, top: 0 });
  assert.equal(readSnapshot(el, win, undefined, 2).monitor, 2);
});

test('VideoMapping sends the monitor it was given and refuses one the engine would not take', () => {
  const { win, el } = elementWindow();
  win.screenX = 1100;
  win.screen = { width: 800, height: 600, availLeft: 1024, availTop: 0 };
  const sent = [];
  const m = new VideoMapping({ el, win, mappingId: 3, monitor: 2, send: (g) => sent.push(g) });
  assert.equal(sent[0].monitor, 2);
  assert.deepEqual(sent[0].area, { x: 86, y: 10, width: 160, height: 120 });
  assert.deepEqual([sent[0].screenWidth, sent[0].screenHeight], [800, 600]);
  m.dispose();
  for (const bad of [17, -1, 1.5, '2', NaN, null]) {
    assert.throws(() => new VideoMapping({ el, win, mappingId: 4, monitor: bad, send: () => {} }), RangeError, String(bad));
  }
});

test('rectangle subtraction covers a minus b exactly, without overlaps', () => {
  const a = { x: 0, y: 0, width: 10, height: 10 };
  assert.deepEqual(subtract(a, { x: 20, y: 20, width: 5, height: 5 }), [a]);
  assert.deepEqual(subtract(a, { x: -5, y: -5, width: 30, height: 30 }), []);
  const parts = subtract(a, { x: 3, y: 3, width: 4, height: 4 });
  assert.equal(parts.length, 4);
  assert.equal(parts.reduce((s, r) => s + r.width * r.height, 0), 100 - 16);
});

test('VideoMapping sends SetVideoGeometry once per change, never when nothing changed, and clears on dispose', async () => {
  const { win, el, fire } = elementWindow();
  const sent = [];
  const m = new VideoMapping({ el, win, mappingId: 1, send: (g) => sent.push(g) });
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].area, { x: 10, y: 10, width: 160, height: 120 });
  fire('scroll');
  fire('resize');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(sent.length, 1, 'no change, nothing sent');
  el.rect = { x: 10, y: -20, width: 160, height: 120 }; // scrolled
  fire('scroll');
  await until(() => sent.length === 2);
  assert.deepEqual(sent[1].visible, [{ x: 10, y: 0, width: 160, height: 100 }]);
  win.screenX = 300; // the window moved: no event, the poll sees it
  await until(() => sent.length === 3);
  assert.equal(sent[2].area.x, 310);
  m.dispose();
  assert.deepEqual(sent[3], { mappingId: 1, clear: true });
});
