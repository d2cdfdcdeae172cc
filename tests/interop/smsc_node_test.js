// npm smpp (0.5.1) as the SMSC / USSD centre; ussdgw's client link ([[smpp.client]]) binds
// to it. The first bind is refused (wrong password on purpose) and the link must come back
// by itself; then the node side sends enquire_link and a USSD PSSR deliver_sm
// (ussd_service_op 1, its_session_info, service_type USSD) and checks the answers, checks
// that the engine keeps the link alive with its own enquire_link, takes any submit_sm the
// engine sends (USSD replies must echo its_session_info), and finally expects a clean
// unbind when ussdgw is stopped.
//   node smsc_node_test.js /path/to/ussdgw
'use strict';

const h = require('./peers/harness');
const { smpp, text, check } = h;

const binary = h.binaryArg();
const MSISDN = '375291234567';

function config(port) {
  return h.engineConfig({
    smpp: { enquire_link_interval: '1s' },
    clients: [{ name: 'ussdc', port, bind: 'transceiver', interface_version: 0x34,
                roles: ['ussd', 'sms'] }],
  });
}

h.run('smsc_node', 60000, async () => {
  const port = await h.freePort();
  const events = new (require('events').EventEmitter)();
  let binds = 0;
  let refusedFirst = false;
  let engineEnquires = 0;
  const submits = [];
  let current = null;

  const server = await h.smppServer(port, (session) => {
    session.on('bind_transceiver', (pdu) => {
      binds++;
      events.emit('bind_pdu', pdu);
      if (!refusedFirst) {
        refusedFirst = true;
        session.send(pdu.response({ command_status: smpp.ESME_RINVPASWD }));
        session.close();
        return;
      }
      session.send(pdu.response({ system_id: 'node-smsc' }));
      current = session;
      events.emit('bound', session);
    });
    session.on('enquire_link', () => {  // answered by h.smppServer
      engineEnquires++;
      events.emit('engine_enquire');
    });
    session.on('submit_sm', (pdu) => {
      session.send(pdu.response({ message_id: `m${submits.length + 1}` }));
      submits.push(pdu);
      events.emit('submit', pdu);
    });
    session.on('unbind', () => events.emit('unbind'));
  });
  check(true, `node SMSC listening on 127.0.0.1:${port}`);

  const gw = h.startUssdgw(binary, config(port));
  try {
    const first = await h.within(10000, 'the first bind', h.next(events, 'bind_pdu'));
    check(first.system_id === 'ussdgw' && first.password === 'ussdgw', 'bind carries the configured credentials');
    check(first.interface_version === 0x34, 'bind interface_version 0x34');
    const session = await h.within(10000, 'a bind after the refusal', h.next(events, 'bound'));
    check(binds >= 2, `the link rebinds by itself after ESME_RINVPASWD (${binds} binds)`);

    const el = await h.within(5000, 'enquire_link_resp', h.request(session, 'enquire_link'));
    check(el.command === 'enquire_link_resp' && el.command_status === 0, 'engine answers enquire_link');

    const submitP = h.within(10000, 'a USSD submit_sm from the engine',
                             h.next(events, 'submit', (p) => p.destination_addr === MSISDN)).catch(() => null);
    const resp = await h.within(5000, 'deliver_sm_resp', h.request(session, 'deliver_sm', {
      service_type: 'USSD', source_addr_ton: 1, source_addr_npi: 1, source_addr: MSISDN,
      dest_addr_ton: 0, dest_addr_npi: 1, destination_addr: '141',
      data_coding: 0, short_message: text.encodeGsm('*141#'),
      ussd_service_op: 1, its_session_info: text.sessionInfo(5, 0, false),
    }));
    check(resp.command === 'deliver_sm_resp' && resp.command_status === 0, 'USSD PSSR deliver_sm answered ok');

    // An ordinary delivery receipt for some message is acknowledged too.
    const rr = await h.within(5000, 'deliver_sm_resp (receipt)', h.request(session, 'deliver_sm', {
      source_addr: MSISDN, destination_addr: 'A1', esm_class: 0x04, data_coding: 0,
      short_message: Buffer.from('id:unknown1 sub:001 dlvrd:001 submit date:2611242100 done date:2611242100 stat:DELIVRD err:000 text:x'),
      receipted_message_id: 'unknown1', message_state: 2,
    }));
    check(rr.command_status === 0, 'delivery receipt deliver_sm answered ok');

    // The subscriber is not provisioned (fresh database): the gateway still answers the
    // dialogue, with a final screen (op 17) that echoes its_session_info with the end bit.
    const submit = await submitP;
    if (check(submit !== null, 'the engine answers the USSD request with a submit_sm')) {
      check(submit.ussd_service_op === 17 || submit.ussd_service_op === 2,
            `reply ussd_service_op ${submit.ussd_service_op} (17 = end, 2 = continue)`);
      check(submit.service_type === 'USSD', 'reply service_type USSD');
      check(submit.source_addr === '141' || submit.source_addr.length > 0, `reply source_addr "${submit.source_addr}"`);
      const info = submit.its_session_info;
      check(Buffer.isBuffer(info) && info.length === 2 && info[0] === 5,
            'the reply echoes its_session_info (session 5)');
      if (submit.ussd_service_op === 17 && info) check((info[1] & 1) === 1, 'end bit set on the final reply');
      check(text.messageText(submit).length > 0, `reply text ${JSON.stringify(text.messageText(submit))}`);

      // When the engine asked a question, answer it (USSR confirm, op 18, same session).
      if (submit.ussd_service_op === 2) {
        const nextP = h.within(10000, 'the reply to the answer',
                               h.next(events, 'submit', (p) => p.destination_addr === MSISDN)).catch(() => null);
        const ar = await h.within(5000, 'deliver_sm_resp (answer)', h.request(session, 'deliver_sm', {
          service_type: 'USSD', source_addr_ton: 1, source_addr_npi: 1, source_addr: MSISDN,
          destination_addr: '141', data_coding: 0, short_message: text.encodeGsm('3'),
          ussd_service_op: 18, its_session_info: text.sessionInfo(5, 1, false),
        }));
        check(ar.command_status === 0, 'the answer (ussd_service_op 18) is accepted');
        const second = await nextP;
        check(second !== null && second.its_session_info && second.its_session_info[0] === 5,
              'the engine replies to the answer in the same session');
        if (second) console.log(`note: second screen (op ${second.ussd_service_op}): ${JSON.stringify(text.messageText(second))}`);
      }
    }

    if (engineEnquires === 0) {
      await h.within(5000, "the engine's enquire_link", h.next(events, 'engine_enquire')).catch(() => null);
    }
    check(engineEnquires > 0, `the engine sends enquire_link on an idle link (${engineEnquires} seen)`);

    const unbindP = h.within(10000, 'unbind from the engine', h.next(events, 'unbind')).then(() => true, () => false);
    await h.exitsCleanly(gw);
    check(await unbindP, 'SIGTERM: the client link unbinds');
  } catch (e) {
    console.log('--- ussdgw output\n' + gw.output());
    throw e;
  } finally {
    await gw.stop().catch(() => {});
    server.close();
  }
});
