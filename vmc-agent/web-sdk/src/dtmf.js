// RTCDTMFSender (W3C webrtc §7): tones are queued here and sent by the engine as RFC 4733 events.
import { defineEventHandlers, domError, makeEvent } from './events.js';

const TONES = /^[0-9A-D#*,]*$/i;

export class VmcDTMFSender extends EventTarget {
  constructor(sender) {
    super();
    this._sender = sender;
    this.toneBuffer = '';
    this._playing = false;
  }

  get canInsertDTMF() {
    const pc = this._sender._pc;
    return pc.connectionState === 'connected' && this._sender.track !== null;
  }

  insertDTMF(tones, duration = 100, interToneGap = 70) {
    if (!this.canInsertDTMF) throw domError('InvalidStateError', 'DTMF needs a connected call with an audio track');
    if (!TONES.test(String(tones))) throw domError('InvalidCharacterError', `not DTMF tones: ${tones}`);
    this._duration = Math.min(6000, Math.max(40, Number(duration) || 100));
    this._gap = Math.max(30, Number(interToneGap) || 70);
    this.toneBuffer = String(tones).toUpperCase();
    if (!this._playing) this._next();
  }

  _next() {
    if (this.toneBuffer === '') {
      this._playing = false;
      this.dispatchEvent(makeEvent('tonechange', { tone: '' }));
      return;
    }
    this._playing = true;
    const tone = this.toneBuffer[0];
    this.toneBuffer = this.toneBuffer.slice(1);
    this.dispatchEvent(makeEvent('tonechange', { tone }));
    if (tone === ',') {
      setTimeout(() => this._next(), 2000);
      return;
    }
    this._sender._pc._send('sendDtmf', { digits: tone, durationMs: this._duration }).catch(() => {});
    setTimeout(() => this._next(), this._duration + this._gap);
  }
}
defineEventHandlers(VmcDTMFSender.prototype, ['tonechange']);
