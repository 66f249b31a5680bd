// Remote video drawn by the thin client's overlay, exactly over a <video> element: where the
// element is on the guest desktop, in device pixels, and which parts of it are visible.
// computeGeometry is pure (unit-tested); readSnapshot reads the DOM; VideoMapping follows changes.

/** How often the window's position is looked at: browsers fire no event when a window moves. */
export const POLL_MS = 250;
/** Points per side sampled to find elements that cover the video (menus, dialogs, tooltips). */
const COVER_GRID = 8;

const rect = (x, y, width, height) => ({ x, y, width, height });
const intersect = (a, b) => {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const w = Math.min(a.x + a.width, b.x + b.width) - x;
  const h = Math.min(a.y + a.height, b.y + b.height) - y;
  return w > 0 && h > 0 ? rect(x, y, w, h) : null;
};

/** a minus b, as up to four rectangles. */
export function subtract(a, b) {
  const i = intersect(a, b);
  if (!i) return [a];
  const out = [];
  if (i.y > a.y) out.push(rect(a.x, a.y, a.width, i.y - a.y));
  if (i.y + i.height < a.y + a.height) out.push(rect(a.x, i.y + i.height, a.width, a.y + a.height - i.y - i.height));
  if (i.x > a.x) out.push(rect(a.x, i.y, i.x - a.x, i.height));
  if (i.x + i.width < a.x + a.width) out.push(rect(i.x + i.width, i.y, a.x + a.width - i.x - i.width, i.height));
  return out;
}

/**
 * A snapshot of what decides the video's place, all in CSS pixels of the page unless named:
 * element (its border box from getBoundingClientRect: scrolling, transforms and CSS zoom are in it),
 * viewport {width, height}, covers (rectangles of elements over it), devicePixelRatio,
 * screenX/screenY/outerWidth/outerHeight (the window, in screen pixels before the page's zoom),
 * systemScale (the desktop's own scale), origin (the viewport's top-left on the desktop in device
 * pixels, when the app knows it better), hidden, screen {width, height, left, top} (the monitor the
 * window is on; left/top: its origin on the desktop, in screen pixels like screenX), monitor.
 * Returns the SetVideoGeometry fields: area, visible, visibleAll, screenWidth, screenHeight, and
 * with a monitor (1-based, the thin client's display order) that monitor: then every rectangle is
 * relative to the screen's top-left and the screen size is that monitor's, as the engine reads
 * them. Without one, the rectangles are desktop coordinates and the engine finds the monitor
 * itself from the guest's layout (ignoring the screen size when the guest has several).
 */
export function computeGeometry(s) {
  const dpr = s.devicePixelRatio || 1;
  const system = s.systemScale || 1;
  const zoom = dpr / system; // the page's zoom: CSS px -> screen px
  let ox;
  let oy;
  if (s.origin) {
    ({ x: ox, y: oy } = s.origin);
  } else {
    // the viewport sits inside the window's frame: borders left and right, the toolbars on top
    const border = Math.max(0, (s.outerWidth - s.viewport.width * zoom) / 2);
    const top = Math.max(0, s.outerHeight - s.viewport.height * zoom - border);
    ox = (s.screenX + border) * system;
    oy = (s.screenY + top) * system;
  }
  if (s.monitor) {
    ox -= (s.screen?.left ?? 0) * system;
    oy -= (s.screen?.top ?? 0) * system;
  }
  const toDevice = (r) => {
    const x = Math.round(ox + r.x * dpr);
    const y = Math.round(oy + r.y * dpr);
    return rect(x, y, Math.round(ox + (r.x + r.width) * dpr) - x, Math.round(oy + (r.y + r.height) * dpr) - y);
  };
  const e = s.element;
  const area = toDevice(e);
  const screen = { screenWidth: Math.round((s.screen?.width ?? 0) * system), screenHeight: Math.round((s.screen?.height ?? 0) * system) };
  if (s.monitor) screen.monitor = s.monitor;
  const onPage = e.width > 0 && e.height > 0 ? intersect(e, rect(0, 0, s.viewport.width, s.viewport.height)) : null;
  if (s.hidden || !onPage) return { area, visible: [], visibleAll: false, ...screen };
  let parts = [onPage];
  for (const c of s.covers ?? []) parts = parts.flatMap((p) => subtract(p, c));
  const full = parts.length === 1 && parts[0].x === e.x && parts[0].y === e.y && parts[0].width === e.width && parts[0].height === e.height;
  if (full) return { area, visible: [], visibleAll: true, ...screen };
  return { area, visible: parts.map(toDevice).filter((r) => r.width > 0 && r.height > 0), visibleAll: false, ...screen };
}

const plain = (r) => rect(r.x ?? r.left, r.y ?? r.top, r.width, r.height);

/**
 * The monitor the window is on: the app's ScreenDetails (Window Management API) when it gave one,
 * else the Screen object, whose origin is left/top (Firefox) or availLeft/availTop (Chromium: the
 * origin of the part without panels, the same unless a panel sits on that monitor's left or top).
 */
function currentScreen(win, details) {
  const d = details?.currentScreen;
  if (d) return { width: d.width, height: d.height, left: d.left ?? 0, top: d.top ?? 0 };
  const sc = win.screen;
  return { width: sc.width, height: sc.height, left: sc.left ?? sc.availLeft ?? 0, top: sc.top ?? sc.availTop ?? 0 };
}

/** Largest monitor number the engine takes (SetVideoGeometry.monitor). */
export const MAX_MONITOR = 16;

/** The monitor option checked: an integer 0..MAX_MONITOR (0 = desktop coordinates). */
export function checkMonitor(monitor) {
  if (!Number.isInteger(monitor) || monitor < 0 || monitor > MAX_MONITOR) {
    throw new RangeError(`monitor must be an integer from 1 to ${MAX_MONITOR} (0 or absent: desktop coordinates), got ${String(monitor)}`);
  }
  return monitor;
}

/** Reads the snapshot computeGeometry needs from the live DOM. */
export function readSnapshot(el, win, origin, monitor = 0, screenDetails = undefined) {
  const doc = win.document;
  const element = plain(el.getBoundingClientRect());
  const viewport = { width: win.innerWidth, height: win.innerHeight };
  const hidden = doc.visibilityState === 'hidden' || !el.isConnected || win.getComputedStyle(el).visibility === 'hidden';
  return {
    element, viewport, hidden, origin,
    covers: hidden ? [] : findCovers(el, element, viewport, doc),
    devicePixelRatio: win.devicePixelRatio,
    screenX: win.screenX, screenY: win.screenY, outerWidth: win.outerWidth, outerHeight: win.outerHeight,
    screen: currentScreen(win, screenDetails), monitor,
  };
}

/** Elements drawn over the video, found by asking the browser what is on top at sample points. */
function findCovers(el, r, viewport, doc) {
  const covers = new Map();
  for (let i = 0; i < COVER_GRID; i++) {
    for (let j = 0; j < COVER_GRID; j++) {
      const x = r.x + ((i + 0.5) * r.width) / COVER_GRID;
      const y = r.y + ((j + 0.5) * r.height) / COVER_GRID;
      if (x < 0 || y < 0 || x >= viewport.width || y >= viewport.height) continue;
      const top = doc.elementFromPoint(x, y);
      if (!top || top === el || el.contains(top) || covers.has(top)) continue;
      covers.set(top, plain(top.getBoundingClientRect()));
    }
  }
  return [...covers.values()];
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Follows one element and sends SetVideoGeometry when (and only when) its geometry changes.
 * monitor (1..MAX_MONITOR, 0 = none) names the thin client's monitor the element is on, for guest
 * layouts the engine cannot infer; screenDetails (from getScreenDetails()) gives exact monitor origins.
 */
export class VideoMapping {
  constructor({ el, win, send, mappingId, selfView = false, origin = () => undefined, monitor = 0, screenDetails }) {
    this.monitor = checkMonitor(monitor);
    this.screenDetails = screenDetails;
    this.el = el;
    this.win = win;
    this.send = send;
    this.mappingId = mappingId;
    this.selfView = selfView;
    this.origin = origin;
    this.last = null;
    this.sent = 0;
    this.scheduled = false;
    this.check = () => this.schedule();
    const opts = { capture: true, passive: true };
    win.addEventListener('scroll', this.check, opts);
    win.addEventListener('resize', this.check, opts);
    win.document.addEventListener('visibilitychange', this.check);
    win.document.addEventListener('fullscreenchange', this.check);
    this.resize = win.ResizeObserver ? new win.ResizeObserver(this.check) : null;
    this.resize?.observe(el);
    this.mutations = win.MutationObserver ? new win.MutationObserver(this.check) : null;
    this.mutations?.observe(win.document.documentElement, { attributes: true, childList: true, subtree: true });
    this.timer = setInterval(this.check, POLL_MS); // window moves, CSS animations
    this.update();
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => { this.scheduled = false; this.update(); };
    if (this.win.requestAnimationFrame && this.win.document.visibilityState !== 'hidden') this.win.requestAnimationFrame(run);
    else setTimeout(run, 0);
  }

  update() {
    if (this.disposed) return;
    const g = computeGeometry(readSnapshot(this.el, this.win, this.origin(), this.monitor, this.screenDetails));
    if (same(g, this.last)) return;
    this.last = g;
    this.sent++;
    this.send({ mappingId: this.mappingId, selfView: this.selfView, ...g });
  }

  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.timer);
    const opts = { capture: true };
    this.win.removeEventListener('scroll', this.check, opts);
    this.win.removeEventListener('resize', this.check, opts);
    this.win.document.removeEventListener('visibilitychange', this.check);
    this.win.document.removeEventListener('fullscreenchange', this.check);
    this.resize?.disconnect();
    this.mutations?.disconnect();
    this.send({ mappingId: this.mappingId, clear: true });
  }
}
