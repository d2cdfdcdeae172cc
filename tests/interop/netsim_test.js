// The local network simulator (scripts/node/netsim.js) against an npm smpp ESME that
// plays the engine: bind, a scripted USSD dialogue (op 1, then 18 with its_session_info),
// the engine's replies (op 2, op 17), an SMS with a delivery receipt, wrong password.
'use strict';

const path = require('path');
const fs = require('fs');
const os = require('os');
const { spawn } = require('child_process');
const h = require('./peers/harness');
const { smpp, text, check } = h;

const MSISDN = '375291234567';

h.run('netsim', 40000, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netsim-test-'));
  const script = path.join(dir, 'dialogue.txt');
  fs.writeFileSync(script, `# a dialogue\n${MSISDN} *141#\n${MSISDN} 1\n`);
  const sim = spawn('node', [path.join(h.NODE_DIR, 'netsim.js'), '--port', '0', '--json',
                             '--script', script, '--timeout', '20', '--receipt-delay', '0'],
                    { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const events = new (require('events').EventEmitter)();
  sim.stdout.on('data', (d) => {
    const chunk = d.toString();
    out += chunk;
    for (const l of chunk.split('\n')) {
      if (l.startsWith('@json ')) events.emit('json', JSON.parse(l.slice(6)));
    }
  });
  const exited = new Promise((resolve) => sim.on('exit', (c) => resolve(c)));
  try {
    const listening = await h.within(10000, 'netsim listening', h.next(events, 'json', (e) => e.event === 'listening'));
    const port = listening.port;
    check(port > 0, `netsim listens on 127.0.0.1:${port}`);

    // Wrong password first.
    const bad = await h.connect(port);
    const badResp = await h.within(5000, 'bind_resp', h.request(bad, 'bind_transceiver',
      { system_id: 'ussdgw', password: 'nope', interface_version: 0x34 }));
    check(badResp.command_status === smpp.ESME_RINVPASWD, 'wrong password -> ESME_RINVPASWD');
    bad.destroy();

    const s = await h.connect(port);
    const gotDeliver = [];
    const delivers = new (require('events').EventEmitter)();
    s.on('deliver_sm', (pdu) => {
      s.send(pdu.response());
      gotDeliver.push(pdu);
      delivers.emit('pdu', pdu);
    });
    const firstDeliver = h.next(delivers, 'pdu');
    const bindResp = await h.within(5000, 'bind_resp', h.request(s, 'bind_transceiver',
      { system_id: 'ussdgw', password: 'ussdgw', interface_version: 0x34 }));
    check(bindResp.command_status === 0, 'bind_transceiver accepted');
    const el = await h.within(5000, 'enquire_link_resp', h.request(s, 'enquire_link'));
    check(el.command_status === 0 && el.command === 'enquire_link_resp', 'enquire_link answered');

    const open = await h.within(10000, 'dialogue start', firstDeliver);
    check(open.ussd_service_op === 1, 'dial arrives as ussd_service_op 1');
    check(open.service_type === 'USSD', 'service_type USSD');
    check(open.source_addr === MSISDN, 'source_addr is the subscriber');
    check(text.messageText(open) === '*141#', 'short_message is the dialled string');
    check(Buffer.isBuffer(open.its_session_info) && open.its_session_info.length === 2 &&
          (open.its_session_info[1] & 1) === 0, 'its_session_info present, end bit clear');
    const sessionNo = open.its_session_info[0];

    const answerP = h.next(delivers, 'pdu');
    const r1 = await h.within(5000, 'submit_sm_resp', h.request(s, 'submit_sm', {
      service_type: 'USSD', source_addr: '141', destination_addr: MSISDN,
      data_coding: 8, short_message: text.encodeUcs2('1 Пароль\n2 Доступ'),
      ussd_service_op: 2, its_session_info: text.sessionInfo(sessionNo, 0, false),
    }));
    check(r1.command_status === 0 && r1.message_id.length > 0, 'USSD continue accepted with a message id');
    const answer = await h.within(10000, 'subscriber answer', answerP);
    check(answer.ussd_service_op === 18, 'answer arrives as ussd_service_op 18');
    check(text.messageText(answer) === '1', 'answer text');
    check(answer.its_session_info && answer.its_session_info[0] === sessionNo,
          'answer carries the same its_session_info session number');

    // An SMS with a receipt, then the final USSD screen.
    const receiptP = h.next(delivers, 'pdu', (p) => (p.esm_class & 0x04) !== 0);
    const smsResp = await h.within(5000, 'submit_sm_resp', h.request(s, 'submit_sm', {
      source_addr: 'A1', source_addr_ton: 5, destination_addr: MSISDN, destination_addr_ton: 1,
      registered_delivery: 1, data_coding: 8, short_message: text.encodeUcs2('Ваш пароль: 12345678'),
    }));
    check(smsResp.command_status === 0, 'SMS accepted');
    const receipt = await h.within(5000, 'delivery receipt', receiptP);
    check(receipt.esm_class === 0x04, 'receipt has esm_class 0x04');
    check(receipt.receipted_message_id === smsResp.message_id, 'receipted_message_id matches');
    check(receipt.message_state === 2, 'message_state DELIVERED');
    check(/^id:\S+ .*stat:DELIVRD/.test(text.messageText(receipt)), 'classic receipt text');

    const r2 = await h.within(5000, 'submit_sm_resp', h.request(s, 'submit_sm', {
      service_type: 'USSD', source_addr: '141', destination_addr: MSISDN,
      data_coding: 0, short_message: text.encodeGsm('Done'),
      ussd_service_op: 17, its_session_info: text.sessionInfo(sessionNo, 1, true),
    }));
    check(r2.command_status === 0, 'USSD end accepted');

    const code = await h.within(10000, 'netsim exit', exited);
    check(code === 0, 'netsim --script exits 0 when the dialogue is done');
    check(/USSD to 375291234567 \[continue/.test(out) && out.includes('1 Пароль'),
          'netsim printed the continue screen (UCS2 decoded)');
    check(/SMS to 375291234567/.test(out) && out.includes('Ваш пароль'), 'netsim printed the SMS');
    s.destroy();
  } finally {
    sim.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
