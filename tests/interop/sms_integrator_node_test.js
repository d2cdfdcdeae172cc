// The listener's "sms" role against independent peers: npm smpp (0.5.1) as the integrator
// (ESME) binds to the engine's listener and submits SMS; npm smpp as the SMSC takes them
// from the engine's client link and sends delivery receipts. Checks: GSM 7-bit, UCS2 and a
// long message (message_payload, split into concatenated parts, data_coding kept) leave
// once each; each receipt reaches the integrator once as deliver_sm (esm_class 0x04,
// receipted_message_id = the id the integrator got, message_state, the classic text), also
// when its first deliver_sm got no answer; across a SIGKILL of the engine between the
// submit_sm_resp and the receipt, and for an SMS accepted while the SMSC was unreachable,
// the restarted engine (same SQLite file) sends nothing twice and every receipt still
// arrives once, kept until the integrator binds again; sms_max_queued -> ESME_RMSGQFUL,
// sms_throughput -> ESME_RTHROTTLED, an account without the role -> ESME_RINVSERTYP; no
// message text in the log.
//   node sms_integrator_node_test.js /path/to/ussdgw
'use strict';

const fs = require('fs');
const path = require('path');
const { EventEmitter } = require('events');
const h = require('./peers/harness');
const { smpp, text, check } = h;

const binary = h.binaryArg();

const GSM_TEXT = 'Your order 4711 is ready';
const UCS2_TEXT = 'Ваш заказ 4712 готов';
const LONG_TEXT = 'Order 4713: ' + 'the parcel waits at the pick-up point. '.repeat(5);  // > 160
const AFTER_TEXT = 'Order 4714 shipped';
const OFFLINE_TEXT = 'Order 4715 delayed';

function config(smscPort, dir) {
  return h.engineConfig({
    dir,
    smpp: { response_timeout: '1s', reconnect_max: '300ms' },
    clients: [{ name: 'smsc', port: smscPort, roles: ['sms'] }],
    accounts: [
      { system_id: 'shop', roles: ['sms'] },
      { system_id: 'capped', roles: ['sms'], sms_max_queued: 2 },
      { system_id: 'fast', roles: ['sms'], sms_throughput: 1 },
      { system_id: 'ussdc', roles: ['ussd'] },
    ],
    tables: { sms: { poll_interval: '100ms', receipt_retry: '1s' } },
  });
}

// The SMSC: answers every submit_sm with a new id, keeps what it got, sends a receipt when
// told; refuses binds while `down`.
class Smsc extends EventEmitter {
  constructor() {
    super();
    this.got = [];  // { id, pdu, text }
    this.down = false;
    this.sessions = new Set();
    this.onSession = (s) => {
      s.on('close', () => this.sessions.delete(s));
      s.on('bind_transceiver', (pdu) => {
        if (this.down) {
          s.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
          s.close();
          return;
        }
        s.send(pdu.response({ system_id: 'node-smsc' }));
        this.sessions.add(s);
        this.emit('bound');
      });
      s.on('submit_sm', (pdu) => {
        const id = `smsc${this.got.length + 1}`;
        s.send(pdu.response({ message_id: id }));
        this.got.push({ id, pdu, text: text.messageText(pdu) });
        this.emit('sms');
      });
    };
  }
  async listen(port) {
    this.server = await h.smppServer(port, this.onSession);
  }
  // Goes down: closes every session, refuses binds until up() again.
  goDown() {
    this.down = true;
    for (const s of this.sessions) s.close();
    this.sessions.clear();
  }
  up() { this.down = false; }
  async waitFor(n, what) {
    await h.within(15000, what, new Promise((resolve) => {
      const t = () => { if (this.got.length >= n) { this.removeListener('sms', t); resolve(); } };
      this.on('sms', t);
      t();
    }));
  }
  receipt(id, stat) {
    const part = this.got.find((g) => g.id === id);
    const s = [...this.sessions][0];
    if (!s || !part) throw new Error(`no session or part for the receipt of ${id}`);
    s.deliver_sm({
      source_addr_ton: 1, source_addr_npi: 1, source_addr: part.pdu.destination_addr,
      destination_addr: part.pdu.source_addr, esm_class: 0x04, data_coding: 0,
      short_message: Buffer.from(`id:${id} sub:001 dlvrd:001 submit date:2611250000 ` +
                                 `done date:2611250000 stat:${stat} err:000 text:`),
      receipted_message_id: id, message_state: stat === 'DELIVRD' ? 2 : 5,
    });
  }
  count(t) { return this.got.filter((g) => g.text === t).length; }
}

// The integrator: one bound session; receipts recorded (and answered unless told to skip).
class Integrator extends EventEmitter {
  static async bind(port, account, type) {
    const c = new Integrator();
    c.session = await h.connect(port);
    c.session.on('error', () => {});
    c.receipts = [];  // every deliver_sm seen, answered or not
    c.skip = new Set();  // receipted_message_ids whose first deliver_sm is left unanswered
    c.session.on('deliver_sm', (pdu) => {
      c.receipts.push(pdu);
      const id = pdu.receipted_message_id;
      if (c.skip.has(id)) {
        c.skip.delete(id);
      } else {
        c.session.send(pdu.response());
      }
      c.emit('receipt', pdu);
    });
    c.bindResp = await h.within(5000, `bind ${account}`, h.request(
      c.session, `bind_${type || 'transceiver'}`, { system_id: account, password: account }));
    return c;
  }
  submit(fields) {
    return h.within(5000, 'submit_sm_resp', h.request(this.session, 'submit_sm', Object.assign({
      source_addr_ton: 5, source_addr_npi: 0, source_addr: 'SHOP',
      dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '375291000001',
      registered_delivery: 1,
    }, fields)));
  }
  gsm(t, extra) { return this.submit(Object.assign({ data_coding: 0, short_message: text.encodeGsm(t) }, extra)); }
  for(id) { return this.receipts.filter((r) => r.receipted_message_id === id); }
  async waitReceipts(ids, ms) {
    await h.within(ms || 15000, `receipts for ${ids}`, new Promise((resolve) => {
      const t = () => {
        if (ids.every((id) => this.for(id).length > 0)) { this.removeListener('receipt', t); resolve(); }
      };
      this.on('receipt', t);
      t();
    }));
  }
  close() { try { this.session.close(); } catch (e) { /* already closed */ } }
}

function checkReceipt(r, id, what) {
  const body = r ? text.messageOctets(r).toString('latin1') : '';
  check(r && r.esm_class === 0x04 && r.message_state === 2 &&
        new RegExp(`^id:${id} sub:00\\d dlvrd:00\\d submit date:\\d{10} done date:\\d{10} ` +
                   'stat:DELIVRD err:000 text:').test(body),
        `${what}: receipt deliver_sm (esm_class 0x04, message_state 2, "${body}")`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

h.run('sms_integrator_node', 120000, async () => {
  const dir = h.tempDir('integrator');
  const db = path.join(dir, 'ussdgw.db');
  const smscPort = await h.freePort();
  const smsc = new Smsc();
  await smsc.listen(smscPort);
  const toml = config(smscPort, dir);
  const clients = [];
  let gw = h.startUssdgw(binary, toml);
  let outputs = '';
  try {
    let port = await gw.ready({ links: ['smsc'] });
    const shop = await Integrator.bind(port, 'shop');
    clients.push(shop);
    check(shop.bindResp.command_status === 0, 'the integrator binds (transceiver, account shop)');

    // 1. GSM 7-bit, UCS2 and a long one.
    const r1 = await shop.gsm(GSM_TEXT);
    const r2 = await shop.submit({ data_coding: 8, short_message: text.encodeUcs2(UCS2_TEXT) });
    const r3 = await shop.submit({ data_coding: 0, message_payload: text.encodeGsm(LONG_TEXT) });
    const ids = [r1, r2, r3].map((r) => r.message_id);
    check([r1, r2, r3].every((r) => r.command_status === 0), 'three submit_sm accepted ESME_ROK');
    check(ids.every((id) => /^[0-9a-f]{12,27}$/.test(id)) && new Set(ids).size === 3,
          `three distinct message ids (${ids})`);
    await smsc.waitFor(4, 'the four parts at the SMSC');
    const g = smsc.got;
    check(g[0].text === GSM_TEXT && g[0].pdu.data_coding === 0 && g[0].pdu.source_addr === 'SHOP' &&
          g[0].pdu.destination_addr === '375291000001', 'GSM 7-bit SMS relayed, data_coding 0, addresses kept');
    check(g[1].text === UCS2_TEXT && g[1].pdu.data_coding === 8, 'UCS2 SMS relayed, data_coding 8');
    const long = g.slice(2, 4);
    const udh = long.map((p) => text.messageOctets(p.pdu).subarray(0, 6));
    check(long.every((p) => (p.pdu.esm_class & 0x40) && p.pdu.data_coding === 0) &&
          udh[0][4] === 2 && udh[0][5] === 1 && udh[1][5] === 2 && udh[0][3] === udh[1][3],
          'the long SMS left as 2 concatenated GSM 7-bit parts (UDH 1/2, 2/2)');
    const joined = long.map((p) => text.decodeGsm(text.messageOctets(p.pdu).subarray(6))).join('');
    check(joined === LONG_TEXT, 'the parts carry the whole text');
    check(g.every((p) => p.pdu.registered_delivery === 1), 'every part asks the SMSC for a receipt');

    // 2. Receipts; the UCS2 one's first deliver_sm is left unanswered: it comes again.
    shop.skip.add(ids[1]);
    for (const p of g) smsc.receipt(p.id, 'DELIVRD');
    await shop.waitReceipts(ids);
    checkReceipt(shop.for(ids[0])[0], ids[0], 'GSM');
    checkReceipt(shop.for(ids[2])[0], ids[2], 'long');
    check(/sub:002 dlvrd:002/.test(text.messageOctets(shop.for(ids[2])[0]).toString()),
          'the long one counts its 2 parts');
    await h.within(10000, 'the unanswered receipt again', new Promise((resolve) => {
      const t = () => (shop.for(ids[1]).length >= 2 ? resolve() : setTimeout(t, 50));
      t();
    }));
    check(shop.for(ids[1]).length === 2, 'the receipt left unanswered came a second time');
    checkReceipt(shop.for(ids[1])[1], ids[1], 'UCS2');
    const r0 = shop.receipts[0];
    check(r0.source_addr === '375291000001' && r0.destination_addr === 'SHOP',
          'a receipt comes from the subscriber to the integrator\'s address');

    // 3. Refusals: cap, throughput, role.
    const fast = await Integrator.bind(port, 'fast', 'transmitter');
    clients.push(fast);
    const f1 = await fast.gsm('fast 1', { registered_delivery: 0 });
    const f2 = await fast.gsm('fast 2', { registered_delivery: 0 });
    check(f1.command_status === 0 && f2.command_status === 0x58,
          `sms_throughput 1/s: the second at once is ESME_RTHROTTLED (${f1.command_status}, 0x${f2.command_status.toString(16)})`);
    const ussdc = await Integrator.bind(port, 'ussdc', 'transmitter');
    clients.push(ussdc);
    const u1 = await ussdc.gsm('not for you');
    check(u1.command_status === 0x15, `an account without the sms role: ESME_RINVSERTYP (0x${u1.command_status.toString(16)})`);
    await smsc.waitFor(5, 'fast 1 at the SMSC');
    await sleep(1100);  // a token again
    const d1 = await h.within(5000, 'data_sm_resp', h.request(fast.session, 'data_sm', {
      source_addr_ton: 1, source_addr_npi: 1, source_addr: '7001',
      dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '375291000002',
      data_coding: 8, message_payload: text.encodeUcs2('Код 4716'),
    }));
    check(d1.command_status === 0 && /^[0-9a-f]+$/.test(d1.message_id),
          `a data_sm is accepted too, with a message id (${d1.message_id})`);
    await smsc.waitFor(6, 'the data_sm\'s SMS at the SMSC');
    const ds = smsc.got[5];
    check(ds.text === 'Код 4716' && ds.pdu.data_coding === 8 && ds.pdu.source_addr === '7001' &&
          ds.pdu.destination_addr === '375291000002', 'the data_sm left as a UCS2 submit_sm');

    // 4. An SMS whose receipt has not come when the engine is killed; then the SMSC goes
    // away and one more SMS is accepted (stored only); the capped account fills up.
    const r4 = await shop.gsm(AFTER_TEXT);
    check(r4.command_status === 0, 'a fourth SMS accepted');
    await smsc.waitFor(7, 'the fourth SMS at the SMSC');
    const part4 = smsc.got[6].id;
    await h.within(5000, 'the fourth SMS recorded as submitted', new Promise((resolve) => {
      const t = () => (h.sql(db, `SELECT state FROM sms_outbox WHERE client_message_id = '${r4.message_id}'`) ===
                       'submitted' ? resolve() : setTimeout(t, 50));
      t();
    }));
    smsc.goDown();
    await gw.waitFor(/event=engine\.link_down link=smsc/);
    const r5 = await shop.gsm(OFFLINE_TEXT);
    check(r5.command_status === 0, 'an SMS accepted while the SMSC is unreachable');
    const capped = await Integrator.bind(port, 'capped', 'transmitter');
    clients.push(capped);
    const c1 = await capped.gsm('capped 1', { registered_delivery: 0 });
    const c2 = await capped.gsm('capped 2', { registered_delivery: 0 });
    const c3 = await capped.gsm('capped 3', { registered_delivery: 0 });
    check(c1.command_status === 0 && c2.command_status === 0 && c3.command_status === 0x14,
          `sms_max_queued 2: the third waiting is ESME_RMSGQFUL (0x${c3.command_status.toString(16)})`);
    const state = h.sql(db, "SELECT group_concat(state, ',') FROM (SELECT state FROM sms_outbox " +
                        "WHERE kind = 'integrator' ORDER BY id)");
    check(/^delivered,delivered,delivered,submitted,submitted,submitted,pending,pending,pending$/.test(state),
          `the outbox before the crash: ${state}`);
    gw.proc.kill('SIGKILL');
    await gw.exited;
    outputs += gw.output();
    await gw.stop().catch(() => {});
    for (const c of clients.splice(0)) c.close();
    check(true, 'the engine was killed (SIGKILL) after the submit_sm_resp, before the receipts');

    // 5. Restart on the same file; the SMSC comes back and receipts follow; the integrator
    // binds only after they are in (they wait for it), as a receiver this time.
    smsc.up();
    const sentBefore = smsc.got.length;
    gw = h.startUssdgw(binary, toml);
    port = await gw.ready({ links: ['smsc'] });
    await smsc.waitFor(sentBefore + 3, 'the SMS accepted while the SMSC was away');
    await sleep(300);
    const after = smsc.got.slice(sentBefore);
    check(after.length === 3 && after[0].text === OFFLINE_TEXT,
          `after the restart only the SMS that never left went out (${after.map((a) => a.text)})`);
    check(smsc.count(AFTER_TEXT) === 1 && smsc.count(GSM_TEXT) === 1 && smsc.count(OFFLINE_TEXT) === 1,
          'no SMS reached the SMSC twice');
    // The receipt of the SMS sent before the crash arrives on the new SMSC session.
    await h.within(5000, 'the SMSC session', new Promise((resolve) => {
      const t = () => (smsc.sessions.size > 0 ? resolve() : setTimeout(t, 20));
      t();
    }));
    smsc.receipt(part4, 'DELIVRD');
    smsc.receipt(after[0].id, 'DELIVRD');
    await gw.waitFor(new RegExp(`event=sms\\.receipt smpp_id=${part4} .*state=delivered`), 5000);
    await gw.waitFor(new RegExp(`event=sms\\.receipt smpp_id=${after[0].id} .*state=delivered`), 5000);
    const rx = await Integrator.bind(port, 'shop', 'receiver');
    clients.push(rx);
    check(rx.bindResp.command_status === 0, 'the integrator binds again (receiver)');
    await rx.waitReceipts([r4.message_id, r5.message_id]);
    checkReceipt(rx.for(r4.message_id)[0], r4.message_id, 'across the crash');
    checkReceipt(rx.for(r5.message_id)[0], r5.message_id, 'stored while the SMSC was away');
    await sleep(2500);  // longer than receipt_retry: anything sent twice would be here
    const seen = rx.receipts.map((r) => r.receipted_message_id);
    check(seen.length === 2 && rx.for(r4.message_id).length === 1 && rx.for(r5.message_id).length === 1,
          `each receipt arrived exactly once after the restart (${seen})`);
    check(!seen.some((id) => ids.includes(id)), 'receipts acknowledged before the crash never came again');
    await h.exitsCleanly(gw, 'the restarted engine');
    outputs += gw.output();

    const acked = h.sql(db, 'SELECT count(*), count(acked_at) FROM sms_client_receipts');
    check(acked === '5|5', `5 receipts owed, all acknowledged (${acked})`);
    const bodies = h.sql(db, "SELECT count(*) FROM sms_outbox WHERE kind = 'integrator' AND " +
                         "state = 'delivered' AND body IS NOT NULL");
    check(bodies === '0', 'delivered messages have their bodies erased');
    const leaked = [GSM_TEXT, UCS2_TEXT, 'pick-up point', AFTER_TEXT, OFFLINE_TEXT]
      .filter((t) => outputs.includes(t));
    check(leaked.length === 0, `no message text in the engine's log (${leaked})`);
    check(/event=sms\.integrator_refused .*status=0x00000014 reason=sms_max_queued/.test(outputs) &&
          /event=sms\.integrator_refused .*status=0x00000058 reason=sms_throughput/.test(outputs),
          'refusals are logged with their status and reason');
  } catch (e) {
    console.log('--- ussdgw output\n' + outputs + gw.output());
    throw e;
  } finally {
    for (const c of clients) c.close();
    await gw.stop().catch(() => {});
    smsc.server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
