// npm smpp (0.5.1) as an ESME against ussdgw's SMPP server ([smpp.server]): binds with
// interface_version 0x34 and 0x50, submit_sm in GSM and UCS2 with TLVs, enquire_link,
// clean unbind; refused binds (wrong password, unknown system_id, bind type not allowed);
// and the engine's own unbind when it is stopped with a session bound. These accounts have
// no role: every submit_sm is refused for good (ESME_RINVSERTYP), never accepted and
// dropped. (The sms role: sms_integrator_node_test.js; USSD centres on the listener:
// ussd_listener_node_test.js.)
//   node esme_node_test.js /path/to/ussdgw
'use strict';

const h = require('./peers/harness');
const { smpp, text, check } = h;

const binary = h.binaryArg();

function config(port) {
  return h.engineConfig({
    smpp: { enquire_link_interval: '30s' },
    server: { listen: `127.0.0.1:${port}`, system_id: 'ussdgw' },
    accounts: [
      { system_id: 'esme', password: 'secret1', allowed_addresses: ['127.0.0.1'] },
      { system_id: 'txonly', bind_types: ['transmitter'] },
    ],
  });
}

async function bind(port, command, fields) {
  const s = await h.connect(port);
  s.on('error', () => {});
  const resp = await h.within(5000, `${command}_resp`, h.request(s, command, fields));
  return { s, resp };
}

function closed(s) {
  return new Promise((resolve) => {
    if (s.socket.destroyed) return resolve();
    s.socket.once('close', resolve);
  });
}

h.run('esme_node', 60000, async () => {
  const port = await h.freePort();
  const gw = h.startUssdgw(binary, config(port));
  try {
    await gw.waitFor(/smpp\.listening|listening/, 10000).catch(() => null);
    // Whatever the log says, the port must accept connections.
    let up = false;
    for (let i = 0; i < 250 && !up; i++) {
      try {
        const s = await h.connect(port);
        s.destroy();
        up = true;
      } catch (e) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    if (!check(up, `ussdgw listens on 127.0.0.1:${port}`)) throw new Error(gw.output());

    // --- refused binds ---
    {
      const { s, resp } = await bind(port, 'bind_transceiver',
        { system_id: 'esme', password: 'wrong', interface_version: 0x34 });
      check(resp.command_status === smpp.ESME_RBINDFAIL,
            `wrong password -> ESME_RBINDFAIL (got 0x${resp.command_status.toString(16)})`);
      s.destroy();
    }
    {
      const { s, resp } = await bind(port, 'bind_transceiver',
        { system_id: 'nobody', password: 'x', interface_version: 0x34 });
      // The same answer as a wrong password: accounts cannot be enumerated.
      check(resp.command_status === smpp.ESME_RBINDFAIL,
            `unknown system_id -> ESME_RBINDFAIL, like a wrong password (got 0x${resp.command_status.toString(16)})`);
      s.destroy();
    }
    {
      const { s, resp } = await bind(port, 'bind_receiver',
        { system_id: 'txonly', password: 'txonly', interface_version: 0x34 });
      check(resp.command_status === smpp.ESME_RBINDFAIL,
            `bind_receiver for a transmitter-only account refused with ESME_RBINDFAIL (0x${resp.command_status.toString(16)})`);
      // Not bound: a submit_sm must not be accepted (answered with an error, or the socket closed).
      const after = await h.within(5000, 'refused session outcome', Promise.race([
        h.request(s, 'submit_sm', { destination_addr: '375291234567', short_message: Buffer.from('x') })
          .then((r) => r.command_status).catch(() => 'closed'),
        closed(s).then(() => 'closed'),
      ]));
      check(after === 'closed' || after !== 0, `no submit_sm accepted after a refused bind (${after})`);
      s.destroy();
    }
    {
      const { s, resp } = await bind(port, 'bind_transmitter',
        { system_id: 'txonly', password: 'txonly', interface_version: 0x34 });
      check(resp.command_status === 0, 'bind_transmitter for the transmitter-only account accepted');
      // No role on this account: refused by the listener itself.
      const r = await h.within(5000, 'submit_sm_resp', h.request(s, 'submit_sm',
        { destination_addr: '375291234567', short_message: Buffer.from('no role') }));
      check(r.command_status === smpp.ESME_RINVSERTYP, 'submit_sm of an account without roles: ESME_RINVSERTYP');
      const u = await h.within(5000, 'unbind_resp', h.request(s, 'unbind'));
      check(u.command === 'unbind_resp' && u.command_status === 0, 'transmitter unbinds cleanly');
      s.destroy();
    }

    // --- bind_transceiver 0x34: submits, enquire_link, unbind ---
    {
      const { s, resp } = await bind(port, 'bind_transceiver',
        { system_id: 'esme', password: 'secret1', interface_version: 0x34 });
      check(resp.command_status === 0, 'bind_transceiver (interface_version 0x34) accepted');
      check(resp.system_id === 'ussdgw', `bind_resp system_id is the configured one ("${resp.system_id}")`);
      if (resp.sc_interface_version !== undefined) {
        check(resp.sc_interface_version === 0x34, 'sc_interface_version 0x34 in bind_resp');
      }
      s.on('deliver_sm', (pdu) => s.send(pdu.response()));

      const messages = [
        { what: 'GSM text', f: { source_addr: 'A1', source_addr_ton: 5, destination_addr: '375291234567',
                                 dest_addr_ton: 1, dest_addr_npi: 1, data_coding: 0,
                                 short_message: text.encodeGsm('Hello, GSM 7-bit @ {}') } },
        { what: 'UCS2 text', f: { source_addr: 'A1', destination_addr: '375291234567', data_coding: 8,
                                  short_message: text.encodeUcs2('Ваш пароль: 12345678'),
                                  registered_delivery: 1 } },
        { what: 'USSD TLVs', f: { service_type: 'USSD', source_addr: '141', destination_addr: '375291234567',
                                  data_coding: 0, short_message: text.encodeGsm('1 Password\n2 Access'),
                                  ussd_service_op: 2, its_session_info: text.sessionInfo(9, 0, false) } },
        { what: 'message_payload TLV', f: { source_addr: 'A1', destination_addr: '375291234567',
                                            data_coding: 8, short_message: Buffer.alloc(0),
                                            message_payload: text.encodeUcs2('Длинный текст '.repeat(20)) } },
        { what: 'user_message_reference + unknown TLV', f: { source_addr: 'A1', destination_addr: '375291234567',
                                  short_message: Buffer.from('ref'), user_message_reference: 77,
                                  more_messages_to_send: 0 } },
      ];
      for (const m of messages) {
        const r = await h.within(5000, `submit_sm_resp (${m.what})`, h.request(s, 'submit_sm', m.f));
        check(r.command_status === smpp.ESME_RINVSERTYP && !r.message_id,
              `submit_sm ${m.what}: refused ESME_RINVSERTYP, no message id ` +
              `(0x${r.command_status.toString(16)} "${r.message_id || ''}")`);
      }

      // A burst of 50 outstanding at once: every one answered.
      const burst = [];
      for (let i = 0; i < 50; i++) {
        burst.push(h.request(s, 'submit_sm', { destination_addr: '375291234567',
                                               short_message: Buffer.from(`burst ${i}`) }));
      }
      const rs = await h.within(10000, 'burst responses', Promise.all(burst));
      check(rs.every((r) => r.command_status === smpp.ESME_RINVSERTYP),
            '50 pipelined submit_sm all answered (refused)');

      const el = await h.within(5000, 'enquire_link_resp', h.request(s, 'enquire_link'));
      check(el.command === 'enquire_link_resp' && el.command_status === 0, 'enquire_link answered');

      const u = await h.within(5000, 'unbind_resp', h.request(s, 'unbind'));
      check(u.command === 'unbind_resp' && u.command_status === 0, 'unbind answered');
      await h.within(5000, 'the server closing after unbind', closed(s)).then(
        () => check(true, 'server closes the connection after unbind_resp'),
        () => check(false, 'server closes the connection after unbind_resp'));
      s.destroy();
    }

    // --- bind_transceiver 0x50 (SMPP 5.0 peers) ---
    {
      const { s, resp } = await bind(port, 'bind_transceiver',
        { system_id: 'esme', password: 'secret1', interface_version: 0x50 });
      check(resp.command_status === 0, 'bind_transceiver (interface_version 0x50) accepted');
      const r = await h.within(5000, 'submit_sm_resp', h.request(s, 'submit_sm',
        { destination_addr: '375291234567', short_message: Buffer.from('v5 peer') }));
      check(r.command_status === smpp.ESME_RINVSERTYP, 'submit_sm from a 0x50 peer answered (refused)');
      const u = await h.within(5000, 'unbind_resp', h.request(s, 'unbind'));
      check(u.command_status === 0, '0x50 peer unbinds cleanly');
      s.destroy();
    }

    // --- an unknown command gets generic_nack ESME_RINVCMDID; the session survives ---
    {
      const { s, resp } = await bind(port, 'bind_transceiver',
        { system_id: 'esme', password: 'secret1', interface_version: 0x34 });
      check(resp.command_status === 0, 'bind again');
      const nack = h.next(s, 'generic_nack');
      const raw = Buffer.alloc(16);
      raw.writeUInt32BE(16, 0);
      raw.writeUInt32BE(0x000000ff, 4);  // not an SMPP command
      raw.writeUInt32BE(0, 8);
      raw.writeUInt32BE(4242, 12);
      s.socket.write(raw);
      const n = await h.within(5000, 'generic_nack', nack);
      check(n.command_status === smpp.ESME_RINVCMDID && n.sequence_number === 4242,
            'unknown command_id -> generic_nack ESME_RINVCMDID with its sequence number');
      const el = await h.within(5000, 'enquire_link_resp', h.request(s, 'enquire_link'));
      check(el.command_status === 0, 'session still usable after generic_nack');

      // --- stopping the engine unbinds the bound session ---
      const unbindP = h.next(s, 'unbind');
      s.on('unbind', (pdu) => s.send(pdu.response()));
      const codeP = gw.stop(15000);
      const got = await h.within(10000, 'unbind from the engine', unbindP).then(() => true, () => false);
      check(got, 'SIGTERM: the engine sends unbind to bound ESMEs');
      const code = await codeP;
      check(code === 0, `ussdgw exits 0 on SIGTERM (${code})`);
      s.destroy();
      // The refusals are logged (rate-limited: the burst is summed up, not 57 lines).
      const out = gw.output();
      const refused = out.split('\n').filter((l) => l.includes('event=smpp.request_refused'));
      check(refused.some((l) => l.includes('reason=role_missing') && l.includes('needs=sms')),
            'refused requests are logged with their reason');
      check(refused.length <= 12 && refused.some((l) => l.includes('suppressed=')),
            `the refusal lines are rate-limited and summed up (${refused.length} lines)`);
      check(/event=smpp\.bound .*interface_version=0x34/.test(out) &&
            /event=smpp\.bound .*interface_version=0x50/.test(out),
            'interface_version is logged in hex (0x34, 0x50)');
    }
  } catch (e) {
    console.log('--- ussdgw output\n' + gw.output());
    throw e;
  } finally {
    await gw.stop().catch(() => {});
  }
});
