// An SMSC on the npm smpp package that misbehaves on demand, for the fault tests: it accepts
// submit_sm (message ids M1, M2, ...) and sends a delivery receipt for each accepted part
// that asks for one (kept for the next bind when no engine session is bound), and counts every part by its content (destination and the octets of
// short_message, UDH included, so each part of each SMS has its own key). Faults, set
// between steps by the test:
//   away() / back()        stop listening and drop every connection / listen again (same port)
//   refuse(status, n)      answer the next n submit_sm with `status` (ESME_RTHROTTLED, ...)
//   silent(n)              take the next n submit_sm and never answer them
//   slow(ms, n)            answer the next n submit_sm (accepted) only after `ms`
//   dropAfter(k)           accept k more submit_sm, then drop the connection on the next one
//                          (unanswered) and everything after it in the same burst
// The ledger: `accepted` (one entry per OK answer written to a live connection),
// `duplicates` (a submit_sm for a part already answered OK: always a failure),
// `received` (every submit_sm with its fate). Events: 'submit' (each received), 'accepted',
// 'dropped'.
'use strict';

const EventEmitter = require('events');
const h = require('./harness');
const { smpp, text } = h;

const RTHROTTLED = 0x58;
const RMSGQFUL = 0x14;

class FaultSmsc extends EventEmitter {
  constructor(name) {
    super();
    this.name = name || 'smsc';
    this.accepted = [];
    this.duplicates = [];
    this.received = [];
    this.answered = new Map();  // part key -> message id
    this.sessions = new Set();
    this.pendingReceipts = [];
    this.nextId = 1;
    this.faults = [];  // queue of {kind, status, ms}, one per coming submit_sm
    this.dropAfterN = null;
    this.port = 0;
    this.server = null;
  }

  async listen(port) {
    this.port = port || this.port || (await h.freePort());
    this.server = await h.smppServer(this.port, (session) => this.serve(session));
    return this.port;
  }

  away() {
    if (this.server) this.server.close();
    this.server = null;
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
  }

  back() { return this.listen(this.port); }

  refuse(status, n) { for (let i = 0; i < n; ++i) this.faults.push({ kind: 'refuse', status }); }
  silent(n) { for (let i = 0; i < n; ++i) this.faults.push({ kind: 'silent' }); }
  slow(ms, n) { for (let i = 0; i < n; ++i) this.faults.push({ kind: 'slow', ms }); }
  dropAfter(k) { this.dropAfterN = k; }

  // Accepted SMS grouped by destination and concatenation reference: {key -> {msisdn, parts}}.
  messages() {
    const out = new Map();
    for (const a of this.accepted) {
      const key = `${a.msisdn}/${a.ref}`;
      if (!out.has(key)) out.set(key, { msisdn: a.msisdn, ref: a.ref, total: a.total, parts: new Set() });
      out.get(key).parts.add(a.part);
    }
    return out;
  }

  // Complete SMS (every part accepted) per destination.
  completeFor(msisdn) {
    let n = 0;
    for (const m of this.messages().values())
      if (m.msisdn === msisdn && m.parts.size === m.total) ++n;
    return n;
  }

  serve(session) {
    this.sessions.add(session);
    session.on('close', () => this.sessions.delete(session));
    const bind = (pdu) => {
      session.send(pdu.response({ system_id: this.name }));
      session.bound = true;
      // Receipts that found no bound engine session wait for the next one, as an SMSC keeps them.
      const waiting = this.pendingReceipts.splice(0);
      for (const r of waiting) this.sendReceipt(session, r);
    };
    session.on('bind_transceiver', bind);
    session.on('bind_transmitter', bind);
    session.on('deliver_sm_resp', () => {});
    session.on('submit_sm', (pdu) => this.onSubmit(session, pdu));
  }

  onSubmit(session, pdu) {
    if (session.dropped) return;  // the rest of a burst after a drop: never read
    const octets = text.messageOctets(pdu);
    const udh = (pdu.esm_class & 0x40) && octets.length > 6 && octets[0] === 5 && octets[1] === 0
      ? { ref: octets[3], total: octets[4], part: octets[5] } : { ref: -1, total: 1, part: 1 };
    const part = { msisdn: pdu.destination_addr, key: `${pdu.destination_addr}:${octets.toString('hex')}`,
                   ref: udh.ref, total: udh.total, part: udh.part, at: Date.now(), fate: '' };
    this.received.push(part);
    if (this.answered.has(part.key)) this.duplicates.push(part);
    this.emit('submit', part);
    if (this.dropAfterN !== null) {
      if (this.dropAfterN === 0) {
        this.dropAfterN = null;
        part.fate = 'dropped';
        // This one and the rest of the burst go unanswered; what was answered before is
        // flushed first (FIN, not RST), so that every answer given reaches the engine.
        session.dropped = true;
        session.socket.end();
        setTimeout(() => session.socket.destroy(), 1000).unref();
        this.emit('dropped', part);
        return;
      }
      --this.dropAfterN;
    }
    const fault = this.faults.shift();
    if (fault && fault.kind === 'refuse') {
      part.fate = `refused 0x${fault.status.toString(16)}`;
      session.send(pdu.response({ command_status: fault.status }));
      return;
    }
    if (fault && fault.kind === 'silent') {
      part.fate = 'silent';
      return;
    }
    const answer = () => {
      if (session.socket.destroyed || session.dropped) {
        part.fate = 'connection gone before the answer';
        return;
      }
      // Accepted twice: a retry overtook a late answer (or a resend of an answered part).
      if (this.answered.has(part.key) && !this.duplicates.includes(part)) this.duplicates.push(part);
      const id = `M${this.nextId++}`;
      session.send(pdu.response({ message_id: id }));
      part.fate = fault ? `accepted late (${fault.ms} ms)` : 'accepted';
      this.answered.set(part.key, id);
      this.accepted.push(Object.assign({ id }, part));
      this.emit('accepted', part);
      if (pdu.registered_delivery & 0x03) this.receipt(session, pdu, id);
    };
    if (fault && fault.kind === 'slow') setTimeout(answer, fault.ms);
    else answer();
  }

  receipt(session, pdu, id) {
    const r = {
      source_addr_ton: pdu.dest_addr_ton, source_addr_npi: pdu.dest_addr_npi,
      source_addr: pdu.destination_addr, dest_addr_ton: pdu.source_addr_ton,
      dest_addr_npi: pdu.source_addr_npi, destination_addr: pdu.source_addr || '',
      esm_class: 0x04, data_coding: 0,
      short_message: Buffer.from(text.receiptText(id, new Date(), new Date(), 'DELIVRD', ''), 'ascii'),
      receipted_message_id: id, message_state: smpp.MESSAGE_STATE.DELIVERED,
    };
    setImmediate(() => {
      const target = !session.socket.destroyed && !session.dropped ? session
        : [...this.sessions].find((s) => s.bound && !s.dropped && !s.socket.destroyed);
      if (target) this.sendReceipt(target, r);
      else this.pendingReceipts.push(r);
    });
  }

  sendReceipt(session, r) {
    session.deliver_sm(r);
  }

  // Resolves once `pred()` holds, re-checked on every submit and answer (bounded by `ms`).
  until(ms, what, pred) {
    return h.within(ms, what, new Promise((resolve) => {
      const test = () => {
        if (!pred()) return;
        this.removeListener('accepted', test);
        this.removeListener('submit', test);
        resolve();
      };
      this.on('accepted', test);
      this.on('submit', test);
      test();
    }));
  }

  close() {
    this.away();
  }
}

module.exports = { FaultSmsc, RTHROTTLED, RMSGQFUL };
