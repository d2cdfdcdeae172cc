// A USSD centre in the ESME role on the npm smpp package, as it binds to ussdgw's SMPP
// listener ([smpp.server], an account with the ussd role): it sends the subscribers'
// requests as submit_sm (or data_sm) with ussd_service_op and its_session_info, answers the
// engine's deliver_sm / data_sm replies, and hands each reply to whoever waits for that
// subscriber and session number. Shared by the node interop tests of the listener.
'use strict';

const EventEmitter = require('events');
const h = require('./harness');
const { text } = h;

class UssdCentre extends EventEmitter {
  // Binds `system_id` / `password` as `bind` (transceiver by default) to 127.0.0.1:`port`.
  static async bind(port, systemId, password, bind) {
    const c = new UssdCentre();
    c.session = await h.connect(port);
    c.session.on('error', () => {});
    c.replies = [];
    const onReply = (pdu) => {
      c.session.send(pdu.response({ message_id: '' }));
      const reply = {
        command: pdu.command,
        msisdn: pdu.destination_addr,
        source: pdu.source_addr,
        op: pdu.ussd_service_op,
        its: pdu.its_session_info,
        data_coding: pdu.data_coding || 0,
        service_type: pdu.service_type,
        payload: pdu.message_payload !== undefined && (!pdu.short_message || pdu.short_message.length === 0),
        text: text.messageText(pdu),
        at: Date.now(),
      };
      reply.final = reply.op === 17;
      c.replies.push(reply);
      c.emit('reply', reply);
    };
    c.session.on('deliver_sm', onReply);
    c.session.on('data_sm', onReply);
    c.session.on('enquire_link', (pdu) => c.session.send(pdu.response()));
    c.session.on('unbind', (pdu) => {
      c.session.send(pdu.response());
      c.session.close();
    });
    const command = `bind_${bind || 'transceiver'}`;
    c.bindResp = await h.within(5000, `${command}_resp`,
                                h.request(c.session, command, { system_id: systemId, password }));
    return c;
  }

  // Sends one request; resolves with {resp, reply} where reply is the engine's next screen
  // for this subscriber and session number (on any centre given in `listeners`, this one by
  // default), or null when `noReply`.
  async send(msisdn, ussd, op, sessionNo, opts) {
    const o = opts || {};
    const listeners = o.listeners || [this];
    const replyP = o.noReply ? null : h.within(o.ms || 10000, `the reply to ${ussd} (${msisdn})`,
      Promise.race(listeners.map((l) => h.next(l, 'reply', (r) =>
        r.msisdn === msisdn && r.its && r.its[0] === sessionNo))));
    const fields = {
      service_type: 'USSD', source_addr_ton: 1, source_addr_npi: 1, source_addr: msisdn,
      dest_addr_ton: 0, dest_addr_npi: 1, destination_addr: '141',
      data_coding: 0, short_message: text.encodeGsm(ussd),
      ussd_service_op: op, its_session_info: text.sessionInfo(sessionNo, o.seq || 0, false),
    };
    if (o.command === 'data_sm') {  // data_sm has no short_message: the text is the payload
      fields.message_payload = fields.short_message;
      delete fields.short_message;
    }
    if (o.thenClose) {
      // Written, then the connection is closed at once (the response is not awaited).
      this.session[o.command || 'submit_sm'](fields);
      this.session.socket.end();
      return { resp: null, reply: replyP ? await replyP : null };
    }
    const resp = await h.within(5000, `${o.command || 'submit_sm'}_resp`,
                                h.request(this.session, o.command || 'submit_sm', fields));
    return { resp, reply: replyP ? await replyP : null };
  }
  dial(msisdn, code, sessionNo, opts) { return this.send(msisdn, code, 1, sessionNo, opts); }
  answer(msisdn, answer, sessionNo, opts) { return this.send(msisdn, answer, 18, sessionNo, opts); }

  close() {
    return new Promise((resolve) => {
      if (this.session.socket.destroyed) return resolve();
      this.session.socket.once('close', resolve);
      this.session.unbind(() => this.session.close());
      setTimeout(() => this.session.socket.destroy(), 2000).unref();
    });
  }
}

module.exports = { UssdCentre };
