// A delivery receipt that arrives before the last part's submit_sm_resp is not lost (issue 7
// item 3). npm smpp (0.5.1) plays the SMSC and USSD centre for the real ussdgw binary, with
// the demo subscribers and a password SMS long enough for two UCS2 parts. A subscriber dials
// *141*0#; when both parts' submit_sm have arrived, the SMSC answers in ONE socket write:
// part 1's submit_sm_resp, part 1's delivery receipt, part 2's submit_sm_resp, part 2's
// receipt (legal SMPP, as a real SMSC sent it in one TCP segment). The message must end
// `delivered` with its body erased, both receipts answered ESME_ROK, none dropped.
//   node receipt_order_node_test.js /path/to/ussdgw
'use strict';

const path = require('path');
const fs = require('fs');
const h = require('./peers/harness');
const { smpp, text, check } = h;

const binary = h.binaryArg();
const MSISDN = '375291000001';
// 80 Cyrillic characters and the password: more than one UCS2 part (70 characters).
const SMS_TEXT = 'Ваш новый пароль для входа в Личный кабинет на сайте оператора: {password}. ' +
                 'Никому его не сообщайте.';

function config(port, dir) {
  return h.engineConfig({
    dir,
    clients: [{ name: 'ussdc', port, bind: 'transceiver', roles: ['ussd', 'sms'] }],
    storage: { password_sms_text: SMS_TEXT },
  });
}

h.run('receipt_order', 60000, async () => {
  const port = await h.freePort();
  const dir = h.tempDir('receipts');
  const toml = config(port, dir);
  const imp = h.importDemo(binary, toml, dir);
  check(imp.ok, `demo subscribers imported (${imp.output.slice(-80)})`);

  const events = new (require('events').EventEmitter)();
  const parts = [];
  const receiptAnswers = [];
  const server = await h.smppServer(port, (session) => {
    session.on('bind_transceiver', (pdu) => {
      session.send(pdu.response({ system_id: 'node-smsc' }));
      events.emit('bound', session);
    });
    session.on('submit_sm', (pdu) => {
      if (pdu.ussd_service_op !== undefined) {
        session.send(pdu.response({ message_id: `u${pdu.sequence_number}` }));
        events.emit('ussd', pdu);
        return;
      }
      parts.push(pdu);
      if (parts.length < 2) return;
      // Both parts are here: resp 1, receipt 1, resp 2, receipt 2 in one write.
      const receipt = (id, part) => ({
        source_addr_ton: 1, source_addr_npi: 1, source_addr: MSISDN,
        destination_addr: part.source_addr, esm_class: 0x04, data_coding: 0,
        short_message: Buffer.from(`id:${id} sub:001 dlvrd:001 submit date:2611242200 ` +
                                   `done date:2611242200 stat:DELIVRD err:000 text:`),
        receipted_message_id: id, message_state: smpp.MESSAGE_STATE.DELIVERED,
      });
      const answered = (resp) => {
        receiptAnswers.push(resp.command_status);
        events.emit('receipt_answered');
      };
      session.socket.cork();
      session.send(parts[0].response({ message_id: 'r1' }));
      session.deliver_sm(receipt('r1', parts[0]), answered);
      session.send(parts[1].response({ message_id: 'r2' }));
      session.deliver_sm(receipt('r2', parts[1]), answered);
      session.socket.uncork();
      events.emit('burst');
    });
  });

  const gw = h.startUssdgw(binary, toml);
  try {
    const session = await h.within(10000, 'the engine binds', h.next(events, 'bound'));
    const ussdP = h.within(10000, 'the USSD reply', h.next(events, 'ussd'));
    const burstP = h.within(15000, 'both SMS parts', h.next(events, 'burst'));
    session.deliver_sm({
      service_type: 'USSD', source_addr_ton: 1, source_addr_npi: 1, source_addr: MSISDN,
      dest_addr_ton: 0, dest_addr_npi: 1, destination_addr: '141',
      data_coding: 0, short_message: text.encodeGsm('*141*0#'),
      ussd_service_op: 1, its_session_info: text.sessionInfo(9, 0, false),
    });
    const reply = await ussdP;
    check(/SMS/.test(text.messageText(reply)), `USSD: ${text.messageText(reply)}`);
    await burstP;
    check(parts.length === 2, `the password SMS came in ${parts.length} parts`);
    check(parts.every((p) => p.data_coding === 8 && (p.esm_class & 0x40) === 0x40),
          'UCS2 parts with a UDH');
    // npm smpp reads the relative validity_period (SMPP 3.4 7.1.1) as a Date from now.
    const validFor = (parts[0].validity_period instanceof Date)
      ? (parts[0].validity_period.getTime() - Date.now()) / 3600e3 : -1;
    check(Math.abs(validFor - 4) < 0.05, `the SMS is valid for 4 hours (${validFor.toFixed(3)} h)`);
    await h.within(10000, 'both receipts answered', new Promise((resolve) => {
      const t = () => { if (receiptAnswers.length >= 2) resolve(); };
      events.on('receipt_answered', t);
      t();
    }));
    check(receiptAnswers.every((s) => s === 0), `both receipts answered ESME_ROK (${receiptAnswers})`);
    await gw.waitFor(/event=sms\.receipt .*smpp_id=r2 .*state=delivered/, 10000)
      .then(() => check(true, 'the engine logs the message delivered after receipt 2'),
            () => check(false, 'the engine logs the message delivered after receipt 2'));
    check(!/sms\.receipt_unmatched/.test(gw.output()), 'no receipt unmatched');
    await h.exitsCleanly(gw);
    const row = h.sql(path.join(dir, 'ussdgw.db'),
                    "SELECT state, body IS NULL, parts FROM sms_outbox WHERE kind = 'password'");
    check(row === 'delivered|1|2', `the message is delivered, its body erased, 2 parts (${row})`);
    const delivered = h.sql(path.join(dir, 'ussdgw.db'),
                          "SELECT group_concat(smpp_message_id || ':' || state, ',') FROM " +
                          '(SELECT * FROM sms_parts ORDER BY part_no)');
    check(delivered === 'r1:delivered,r2:delivered', `both parts delivered (${delivered})`);
  } catch (e) {
    console.log('--- ussdgw output\n' + gw.output());
    throw e;
  } finally {
    await gw.stop().catch(() => {});
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
