// Small helpers to make objects behave like the W3C ones they stand for: on<name> handler
// properties next to addEventListener, events with extra fields, errors with the W3C names.

/** Adds `onfoo` properties for each name that call the handler like the browser's do. */
export function defineEventHandlers(proto, names) {
  for (const name of names) {
    const key = Symbol(`on${name}`);
    Object.defineProperty(proto, `on${name}`, {
      configurable: true,
      enumerable: true,
      get() { return this[key]?.fn ?? null; }, // the function the app set, not our wrapper
      set(fn) {
        if (this[key]) this.removeEventListener(name, this[key].listener);
        this[key] = null;
        if (typeof fn !== 'function') return;
        const listener = (e) => fn.call(this, e);
        this[key] = { listener, fn };
        this.addEventListener(name, listener);
      },
    });
  }
}

/** An Event of this type with read-only extra fields (candidate, track, streams...). */
export function makeEvent(type, fields = {}) {
  const e = new Event(type);
  for (const [k, v] of Object.entries(fields)) Object.defineProperty(e, k, { value: v, enumerable: true });
  return e;
}

/** A DOMException with a W3C name: how WebRTC and Media Capture say what they cannot do. */
export function domError(name, message) {
  return new DOMException(message, name);
}

/** Runs fn after the current task, as the browser fires most WebRTC events. */
export function queueTask(fn) {
  setTimeout(fn, 0);
}
