// A USSD centre that binds to ussdgw instead of the other way round: npm smpp (0.5.1) as the
// USSD centre (ESME role) binds to the engine's SMPP listener with an account that has the
// ussd role, and runs whole cabinet dialogues over submit_sm: a password (its SMS leaves
// over the engine's client link to an npm smpp SMSC), closing access, reopening with a wrong
// then the right PUK1. Checks op codes, the its_session_info echo and end bit, data_coding
// (GSM 7-bit screens with the account's 0x0F, Cyrillic ones UCS2), replies as deliver_sm
// (and as data_sm for an account configured so); a reply goes to another bound session of
// the account when the session the request came from is gone; and a listener account with
// outgoing_sms receives the next password SMS as deliver_sm (round robin with the client
// link) and sends its delivery receipt back, which the outbox applies.
//   node ussd_listener_node_test.js /path/to/ussdgw
'use strict';

const fs = require('fs');
const path = require('path');
const h = require('./peers/harness');
const { UssdCentre } = require('./peers/ussd_centre');
const { text, check } = h;

const binary = h.binaryArg();

function config(smscPort, dir) {
  return h.engineConfig({
    dir,
    // The SMSC: SMS only (no USSD comes from it).
    clients: [{ name: 'smsc', port: smscPort, roles: ['sms'] }],
    accounts: [
      { system_id: 'ussdc', roles: ['ussd'] },
      { system_id: 'ussdd', roles: ['ussd'] },
      { system_id: 'smsout', bind_types: ['receiver', 'transceiver'], outgoing_sms: true },
    ],
    tables: {
      ussd: { gsm7_data_coding: 0x0F },
      'ussd.account': [{ system_id: 'ussdd', reply_command: 'data_sm' }],
    },
  });
}

h.run('ussd_listener_node', 90000, async () => {
  const dir = h.tempDir('listener');
  const smscPort = await h.freePort();
  const events = new (require('events').EventEmitter)();
  const sms = [];
  const server = await h.smppServer(smscPort, (session) => {
    session.on('bind_transceiver', (pdu) => {
      session.send(pdu.response({ system_id: 'node-smsc' }));
    });
    session.on('submit_sm', (pdu) => {
      session.send(pdu.response({ message_id: `s${sms.length + 1}` }));
      sms.push({ msisdn: pdu.destination_addr, text: text.messageText(pdu) });
      events.emit('sms', sms[sms.length - 1]);
    });
  });

  const toml = config(smscPort, dir);
  const imp = h.importDemo(binary, toml, dir);
  check(imp.ok, `demo subscribers imported (${imp.output.slice(-80)})`);

  const gw = h.startUssdgw(binary, toml);
  const centres = [];
  try {
    const port = await gw.ready({ links: ['smsc'] });
    const c1 = await UssdCentre.bind(port, 'ussdc', 'ussdc');
    centres.push(c1);
    check(c1.bindResp.command_status === 0, 'the USSD centre binds to the listener (account ussdc)');

    // 1. A password: final screen, the SMS leaves over the client link.
    const smsP = h.within(10000, 'the password SMS at the SMSC',
                          h.next(events, 'sms', (m) => m.msisdn === '375291000001'));
    let { resp, reply } = await c1.dial('375291000001', '*141*0#', 1);
    check(resp.command_status === 0, 'submit_sm (op 1) accepted ESME_ROK');
    check(reply.command === 'deliver_sm', 'the reply is a deliver_sm on the same session');
    check(reply.final && reply.op === 17 && reply.service_type === 'USSD', 'final reply op 17, service_type USSD');
    check(reply.its && reply.its[0] === 1 && (reply.its[1] & 1) === 1, 'its_session_info echoed with the end bit');
    check(reply.data_coding === 8 && reply.text.includes('SMS'), `Cyrillic screen in UCS2: ${reply.text}`);
    check(reply.source === '141', 'the reply comes from the dialled code');
    const pw = await smsP;
    check(/\b[a-z0-9]{8}\b/.test(pw.text) && pw.text.includes('Пароль'), 'the password SMS reached the SMSC');

    // 2. Close access with confirmation.
    ({ reply } = await c1.dial('375291000001', '*141*3*6#', 2));
    check(!reply.final && reply.op === 2 && reply.text.includes('открыт'), `access open, continue (op 2): ${reply.text}`);
    check(reply.its && (reply.its[1] & 1) === 0, 'no end bit while the dialogue goes on');
    ({ reply } = await c1.answer('375291000001', '1', 2, { seq: 1 }));
    check(!reply.final && reply.text.includes('?'), `closing asks for confirmation: ${reply.text}`);
    ({ reply } = await c1.answer('375291000001', '1', 2, { seq: 2 }));
    check(reply.final && reply.text.includes('закрыт'), `access closed: ${reply.text}`);

    // 3. Reopen: a wrong PUK1 (counted), then the right one.
    ({ reply } = await c1.dial('375291000001', '*141*3*6#', 3));
    check(reply.text.includes('закрыт'), `state now closed: ${reply.text}`);
    ({ reply } = await c1.answer('375291000001', '1', 3));
    check(reply.text.includes('PUK1'), `opening asks for PUK1: ${reply.text}`);
    ({ reply } = await c1.answer('375291000001', '12345678', 3));
    check(!reply.final && reply.text.includes('2'), `wrong PUK1 counted, 2 tries left: ${reply.text}`);
    ({ reply } = await c1.answer('375291000001', '10010001', 3));
    check(reply.final && reply.text.includes('открыт'), `the right PUK1 opens access: ${reply.text}`);

    // 4. English screens fit GSM 7-bit: the account's data_coding 0x0F.
    ({ reply } = await c1.dial('375291000003', '*141*3*6#', 4));
    check(reply.data_coding === 0x0F && reply.text.startsWith('Cabinet access'),
          `GSM 7-bit screen with data_coding 0x0F: ${reply.text}`);
    ({ reply } = await c1.send('375291000003', '', 0x81, 4, { noReply: true }));  // release

    // 5. The session a request came from is gone before its reply (a password: the reply
    // waits for the hash): another bound session of the account gets it.
    const c2 = await UssdCentre.bind(port, 'ussdc', 'ussdc');
    centres.push(c2);
    check(c2.bindResp.command_status === 0, 'a second session of the account binds');
    const moved = await c1.dial('375291000002', '*141*0#', 5, { thenClose: true, listeners: [c1, c2] });
    check(moved.reply && c2.replies.includes(moved.reply) && moved.reply.final &&
          moved.reply.text.includes('SMS'),
          'the reply arrived on the other bound session');
    await h.within(10000, 'the second password SMS', new Promise((resolve) => {
      const t = () => (sms.some((m) => m.msisdn === '375291000002') ? resolve() : setTimeout(t, 20));
      t();
    }));

    // 6. An account whose replies are data_sm.
    const d = await UssdCentre.bind(port, 'ussdd', 'ussdd');
    centres.push(d);
    ({ reply } = await d.send('375291000005', '*141#', 1, 6, { command: 'data_sm' }));
    check(reply.command === 'data_sm' && reply.payload && !reply.final && reply.op === 2,
          `data_sm request, data_sm reply with message_payload: ${reply.text.split('\n')[0]}`);
    await d.send('375291000005', '', 0x81, 6, { noReply: true, command: 'data_sm' });

    // 7. A listener account with outgoing_sms takes the next SMS (round robin after the
    // client link) as deliver_sm, and its receipt comes back as data_sm.
    const out = await h.connect(port);
    out.on('error', () => {});
    const outSms = [];
    const outEvents = new (require('events').EventEmitter)();
    out.on('deliver_sm', (pdu) => {
      out.send(pdu.response({ message_id: `o${outSms.length + 1}` }));
      outSms.push(pdu);
      outEvents.emit('sms', pdu);
    });
    const ob = await h.within(5000, 'bind_receiver_resp', h.request(out, 'bind_receiver',
                                                                     { system_id: 'smsout', password: 'smsout' }));
    check(ob.command_status === 0, 'the outgoing_sms account binds as receiver');
    const outP = h.within(10000, 'the SMS as deliver_sm', h.next(outEvents, 'sms'));
    ({ reply } = await c2.dial('375291000003', '*141*0#', 7));
    check(reply.final && reply.text.includes('SMS'), `English password screen: ${reply.text}`);
    const delivered = await outP;
    check(delivered.destination_addr === '375291000003' && text.messageText(delivered).includes('assword'),
          'the password SMS reached the outgoing_sms account as deliver_sm');
    check(!sms.some((m) => m.msisdn === '375291000003'), 'and not the SMSC (one send only)');
    // Its receipt: the account is a receiver, so a transmitter session sends it back.
    const tx = await h.connect(port);
    tx.on('error', () => {});
    const tb = await h.within(5000, 'bind_transceiver_resp', h.request(tx, 'bind_transceiver',
                                                                        { system_id: 'smsout', password: 'smsout' }));
    check(tb.command_status === 0, 'the outgoing_sms account binds a transceiver too');
    const rr = await h.within(5000, 'data_sm_resp (receipt)', h.request(tx, 'data_sm', {
      source_addr: '375291000003', destination_addr: 'A1', esm_class: 0x04,
      receipted_message_id: 'o1', message_state: 2,
    }));
    check(rr.command_status === 0, 'the delivery receipt from the outgoing_sms account is accepted');
    const db = path.join(dir, 'ussdgw.db');
    let state = '';
    for (let i = 0; i < 50 && state !== 'delivered'; ++i) {
      state = h.sql(db, "SELECT state FROM sms_outbox o WHERE msisdn = 375291000003");
      if (state !== 'delivered') await new Promise((r) => setTimeout(r, 100));
    }
    check(state === 'delivered', `the outbox applied the receipt (state ${state})`);
    check(sms.filter((m) => m.msisdn === '375291000001').length === 1, 'one password SMS per request at the SMSC');
    tx.close();
    out.close();

    await h.exitsCleanly(gw);
    const log = gw.output();
    check(!log.includes('10010001') && !log.includes(pw.text.match(/\b[a-z0-9]{8}\b/)[0]),
          'neither PUK1 nor the password reaches the log');
  } catch (e) {
    console.log('--- ussdgw output\n' + gw.output());
    throw e;
  } finally {
    await gw.stop().catch(() => {});
    for (const c of centres) c.session.socket.destroy();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
