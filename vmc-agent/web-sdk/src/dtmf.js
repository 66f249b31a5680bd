// RTCDTMFSender (W3C webrtc §7): the engine sends the tones as RFC 4733 events; tonechange
// events follow the tones' timing here.
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
    if (this.toneBuffer === '' || this._sender._pc.signalingState === 'closed') {
      this._playing = false;
      this.toneBuffer = '';
      this.dispatchEvent(makeEvent('tonechange', { tone: '' }));
      return;
    }
    this._playing = true;
    const tone = this.toneBuffer[0];
    if (tone !== ',' && !this._segment) {
      // the engine plays a run of tones itself, with this duration: one request up to the next pause
      const run = this.toneBuffer.split(',')[0];
      this._segment = run.length;
      this._sender._pc._send('sendDtmf', { digits: run, durationMs: this._duration }).catch(() => {});
    }
    this.toneBuffer = this.toneBuffer.slice(1);
    if (tone !== ',') this._segment--;
    this.dispatchEvent(makeEvent('tonechange', { tone }));
    setTimeout(() => this._next(), tone === ',' ? 2000 : this._duration + this._gap);
  }
}
defineEventHandlers(VmcDTMFSender.prototype, ['tonechange']);
