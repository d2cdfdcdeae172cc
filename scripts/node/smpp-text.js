// Small helpers shared by the local network simulator (netsim.js), the benchmark server
// and the interop tests: text <-> short_message octets, its_session_info, receipts.
'use strict';

// GSM 03.38 default alphabet, one septet per octet (unpacked, as SMPP carries it).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXT = { '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c,
                  '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65 };
const GSM_EXT_REV = Object.fromEntries(Object.entries(GSM_EXT).map(([k, v]) => [v, k]));

function fitsGsm(text) {
  for (const ch of text) {
    if (GSM_BASIC.indexOf(ch) < 0 && !(ch in GSM_EXT)) return false;
  }
  return true;
}

function encodeGsm(text) {
  const out = [];
  for (const ch of text) {
    const i = GSM_BASIC.indexOf(ch);
    if (i >= 0) out.push(i);
    else if (ch in GSM_EXT) out.push(0x1b, GSM_EXT[ch]);
    else out.push(0x3f);  // '?'
  }
  return Buffer.from(out);
}

function decodeGsm(buf) {
  let s = '';
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === 0x1b && i + 1 < buf.length && GSM_EXT_REV[buf[i + 1]] !== undefined) {
      s += GSM_EXT_REV[buf[++i]];
    } else {
      s += b < GSM_BASIC.length ? GSM_BASIC[b] : '?';
    }
  }
  return s;
}

function encodeUcs2(text) {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) {
    const t = le[i];
    le[i] = le[i + 1];
    le[i + 1] = t;
  }
  return le;
}

function decodeUcs2(buf) {
  const le = Buffer.from(buf.subarray(0, buf.length & ~1));
  for (let i = 0; i + 1 < le.length; i += 2) {
    const t = le[i];
    le[i] = le[i + 1];
    le[i + 1] = t;
  }
  return le.toString('utf16le');
}

// Text for a short_message: GSM 7-bit (data_coding 0) when it fits, else UCS2 (8).
function encodeText(text) {
  if (fitsGsm(text)) return { data_coding: 0, octets: encodeGsm(text) };
  return { data_coding: 8, octets: encodeUcs2(text) };
}

// Octets as received (a Buffer), decoded by data_coding.
function decodeText(octets, dataCoding) {
  if (!octets) return '';
  if (!Buffer.isBuffer(octets)) octets = Buffer.from(String(octets), 'latin1');
  const dc = dataCoding & 0xff;
  if (dc === 8 || (dc & 0xf0) === 0x10 && (dc & 0x0c) === 0x08) return decodeUcs2(octets);
  if (dc === 3) return octets.toString('latin1');
  if (dc === 1) return octets.toString('ascii');
  if (dc === 4 || dc === 2) return '<binary ' + octets.toString('hex') + '>';
  return decodeGsm(octets);
}

// Makes the npm smpp package hand short_message and message_payload over as raw octets
// (Buffers) instead of guessing a text encoding; our peers decode by data_coding themselves.
function rawMessages(smpp) {
  for (const name of ['submit_sm', 'deliver_sm', 'data_sm', 'submit_multi', 'replace_sm']) {
    const params = smpp.commands[name] && smpp.commands[name].params;
    if (params && params.short_message) delete params.short_message.filter;
  }
  if (smpp.tlvs.message_payload) delete smpp.tlvs.message_payload.filter;
  return smpp;
}

// The raw octets of a submit_sm / deliver_sm (short_message, else message_payload).
function messageOctets(pdu) {
  let v = pdu.short_message;
  if ((!v || v.length === 0) && pdu.message_payload !== undefined) v = pdu.message_payload;
  if (v === undefined || v === null) return Buffer.alloc(0);
  return Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1');
}

// The text of a submit_sm / deliver_sm.
function messageText(pdu) {
  return decodeText(messageOctets(pdu), pdu.data_coding || 0);
}

// its_session_info: octet 0 session number, octet 1 (sequence << 1) | end-of-session bit.
function sessionInfo(session, seq, end) {
  return Buffer.from([session & 0xff, ((seq & 0x7f) << 1) | (end ? 1 : 0)]);
}

function smppTime(d) {
  const p = (n) => String(n).padStart(2, '0');
  return p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) +
         p(d.getUTCHours()) + p(d.getUTCMinutes());
}

// The classic receipt text (SMPP 3.4 appendix B).
function receiptText(id, submitted, done, stat, text) {
  return 'id:' + id + ' sub:001 dlvrd:' + (stat === 'DELIVRD' ? '001' : '000') +
         ' submit date:' + smppTime(submitted) + ' done date:' + smppTime(done) +
         ' stat:' + stat + ' err:000 text:' + (text || '').slice(0, 20);
}

module.exports = { fitsGsm, encodeGsm, decodeGsm, encodeUcs2, decodeUcs2, encodeText,
                   decodeText, rawMessages, messageOctets, messageText, sessionInfo, receiptText };
