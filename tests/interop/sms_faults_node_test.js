// The SMSC misbehaves while the engine sends password SMS: the real ussdgw binary with its
// SQLite file binds to an npm smpp SMSC (peers/fault_smsc.js) over one SMS link, and a USSD
// centre bound to the listener asks for passwords (*141*0#). The password text is long
// enough for two concatenated parts, so every fault can land between the parts of one SMS.
// One after another:
//   (a) the SMSC goes away (connections dropped, port closed: connection refused) and comes
//       back: the SMS wait in the outbox, no attempt spent, and go out once it returns;
//   (b) it answers ESME_RTHROTTLED, (c) ESME_RMSGQFUL: the sender pauses and retries;
//   (d) it never answers a part, or answers one after the response timeout: the part is not
//       sent again while the first send may still be answered (the late answer is taken);
//   (e) it drops the connection in the middle of a burst.
// After each fault, and at the end: every SMS accepted exactly once per part (counted on
// the SMSC side by content; a submit_sm for a part already answered OK is a failure), the
// outbox ends final (delivered: the SMSC sends receipts), and USSD is served throughout.
//   node sms_faults_node_test.js /path/to/ussdgw
'use strict';

const fs = require('fs');
const path = require('path');
const h = require('./peers/harness');
const { UssdCentre } = require('./peers/ussd_centre');
const { FaultSmsc, RTHROTTLED, RMSGQFUL } = require('./peers/fault_smsc');
const { check } = h;

const binary = h.binaryArg();
const RESPONSE_TIMEOUT_MS = 1500;
const THROTTLE_PAUSE_MS = 300;
const SUBSCRIBERS = h.ACTIVE_DEMO_SUBSCRIBERS;
// Two UCS2 parts (more than 70 characters).
const SMS_TEXT = 'Пароль для входа в Личный кабинет: {password}. Никому его не сообщайте: ' +
                 'сотрудники оператора никогда его не спрашивают.';

function config(smscPort, dir) {
  return h.engineConfig({
    dir,
    smpp: { response_timeout: `${RESPONSE_TIMEOUT_MS}ms`, reconnect_max: '300ms' },
    clients: [{ name: 'smsc', port: smscPort, roles: ['sms'], required: false }],
    accounts: [{ system_id: 'ussdc', roles: ['ussd'] }],
    tables: { sms: { poll_interval: '100ms', throttle_pause: `${THROTTLE_PAUSE_MS}ms` } },
    storage: {
      outbox_backoff_initial: '100ms',
      outbox_backoff_max: '400ms',
      outbox_max_attempts: 50,
      password_sms_per_hour: 1000,
      password_sms_per_day: 1000,
      password_sms_text: SMS_TEXT,
    },
  });
}

h.run('sms_faults_node', 120000, async () => {
  const dir = h.tempDir('smsfaults');
  const smsc = new FaultSmsc('SMSC');
  const port = await smsc.listen();
  const toml = config(port, dir);
  const imp = h.importDemo(binary, toml, dir);
  check(imp.ok, `demo subscribers imported (${imp.output.slice(-80)})`);
  const db = path.join(dir, 'ussdgw.db');

  const gw = h.startUssdgw(binary, toml);
  let centre = null;
  const expected = new Map();  // msisdn -> password SMS the engine said it sent
  let sessionNo = 0;
  const logSince = (offset, re) =>
    (gw.output().slice(offset).match(new RegExp(re.source, 'g')) || []).length;
  const waitLog = (offset, re, n, ms, what) => h.within(ms, what, new Promise((resolve) => {
    const t = () => (logSince(offset, re) >= n ? resolve() : setTimeout(t, 20));
    t();
  }));
  const password = async (msisdn) => {
    sessionNo = (sessionNo % 250) + 1;
    const { reply } = await centre.dial(msisdn, '*141*0#', sessionNo);
    check(reply.final && reply.text.includes('SMS'), `${msisdn}: USSD answers "password sent by SMS"`);
    expected.set(msisdn, (expected.get(msisdn) || 0) + 1);
  };
  const allDelivered = () => [...expected].every(([m, n]) => smsc.completeFor(m) >= n);
  const settle = async (what) => {
    await smsc.until(20000, `${what}: every SMS at the SMSC`, allDelivered);
    const counts = [...expected].map(([m, n]) => `${m.slice(-4)}:${smsc.completeFor(m)}/${n}`);
    check([...expected].every(([m, n]) => smsc.completeFor(m) === n),
          `${what}: every SMS accepted, every part, once (${counts.join(' ')})`);
    check(smsc.duplicates.length === 0, `${what}: no part sent again after it was answered ` +
          `(${smsc.duplicates.map((d) => `${d.msisdn} part ${d.part}`).join(', ') || 'none'})`);
  };
  const outboxFinal = () => h.within(15000, 'the outbox to end final', new Promise((resolve) => {
    const t = () => (h.sql(db, "SELECT count(*) FROM sms_outbox WHERE state NOT IN ('delivered', 'failed')") === '0'
      ? resolve() : setTimeout(t, 50));
    t();
  }));

  try {
    const lport = await gw.ready({ links: ['smsc'] });
    centre = await UssdCentre.bind(lport, 'ussdc', 'ussdc');

    // Warm-up: both parts of one SMS, a receipt each, the message delivered.
    await password(SUBSCRIBERS[0]);
    await settle('no fault');
    check(smsc.accepted.length === 2 && smsc.accepted[0].total === 2,
          `the password SMS has two parts (${smsc.accepted.length} accepted)`);
    await outboxFinal();

    // (a) The SMSC goes away: USSD goes on, the SMS wait in the outbox without spending
    // attempts, and go out when it is back.
    let mark = gw.output().length;
    smsc.away();
    await waitLog(mark, /event=engine\.link_down link=smsc/, 1, 5000, 'the link going down');
    for (const m of SUBSCRIBERS.slice(1, 4)) await password(m);
    await waitLog(mark, /event=smpp\.connect_failed link=smsc/, 3, 5000,
                  'three refused reconnects');
    const waiting = h.sql(db, "SELECT count(*), sum(attempts) FROM sms_outbox WHERE state = 'pending'");
    check(waiting === '3|0', `(a) away: 3 SMS wait in the outbox, no attempt spent (${waiting})`);
    await smsc.back();
    await settle('(a) SMSC back');

    // (b) ESME_RTHROTTLED on three parts in a row, (c) ESME_RMSGQFUL on one: the sender
    // pauses, retries, loses nothing and repeats nothing.
    for (const [label, status, n] of [['(b) throttled', RTHROTTLED, 3], ['(c) queue full', RMSGQFUL, 1]]) {
      mark = gw.output().length;
      const before = smsc.received.length;
      smsc.refuse(status, n);
      await Promise.all(SUBSCRIBERS.slice(4, 6).map((m) => password(m)));
      await settle(label);
      check(logSince(mark, /event=sms\.throttled/g) >= 1, `${label}: the engine logged sms.throttled`);
      const got = smsc.received.slice(before);
      const refused = got.filter((p) => p.fate.startsWith('refused'));
      // Each refused part, and how long after its refusal it went again.
      const waits = refused.map((r) => {
        const again = got.find((p) => p.key === r.key && p.at >= r.at && p !== r &&
                                      got.indexOf(p) > got.indexOf(r));
        return again ? again.at - r.at : -1;
      });
      check(refused.length === n && waits.every((w) => w >= THROTTLE_PAUSE_MS - 50),
            `${label}: ${refused.length} refused, each sent again only after the pause ` +
            `(${waits.join(', ')} ms)`);
    }

    // (d) A part never answered: not sent again before its response timeout, then again
    // (the other part, answered, is not sent again).
    mark = gw.output().length;
    let before = smsc.received.length;
    smsc.silent(1);
    await password(SUBSCRIBERS[6]);
    await settle('(d) never answered');
    let got = smsc.received.slice(before);
    const lost = got.find((p) => p.fate === 'silent');
    const again = lost && got.find((p) => p !== lost && p.key === lost.key);
    check(lost && again && again.at - lost.at >= RESPONSE_TIMEOUT_MS - 50,
          `(d) the unanswered part went again after its response timeout ` +
          `(${again && lost ? again.at - lost.at : '-'} ms)`);

    // (d) A part answered after the response timeout: the late answer counts, the part is
    // not sent again.
    before = smsc.received.length;
    smsc.slow(RESPONSE_TIMEOUT_MS + 600, 1);
    await password(SUBSCRIBERS[7]);
    await settle('(d) answered late');
    got = smsc.received.slice(before);
    check(got.length === 2, `(d) late answer taken: ${got.length} submit_sm for a 2-part SMS ` +
          `(${got.map((p) => p.fate).join(', ')})`);
    await outboxFinal();

    // (e) The connection drops in the middle of a burst (8 parts; 3 answered, the rest not).
    mark = gw.output().length;
    before = smsc.received.length;
    smsc.dropAfter(3);
    await Promise.all(SUBSCRIBERS.slice(1, 5).map((m) => password(m)));
    await settle('(e) dropped mid-burst');
    check(logSince(mark, /event=engine\.link_down link=smsc/g) >= 1, '(e) the link went down and came back');

    // The outbox ends final: every message delivered (receipts), none failed, none waiting.
    await outboxFinal();
    const states = h.sql(db, 'SELECT state, count(*) FROM sms_outbox GROUP BY state ORDER BY state');
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    check(states === `delivered|${total}`, `the outbox ends with all ${total} SMS delivered (${states.replace(/\n/g, ' ')})`);
    check(h.sql(db, 'SELECT count(*) FROM sms_outbox WHERE body IS NOT NULL') === '0',
          'no SMS body left in the outbox');

    // USSD still served after everything.
    sessionNo = (sessionNo % 250) + 1;
    const { reply } = await centre.dial(SUBSCRIBERS[0], '*141*3*6#', sessionNo);
    check(reply && reply.op === 2, `USSD still served after the faults (op ${reply && reply.op})`);
    await centre.send(SUBSCRIBERS[0], '', 0x81, sessionNo, { noReply: true });

    console.log(`SMSC saw ${smsc.received.length} submit_sm, accepted ${smsc.accepted.length}`);
    await h.exitsCleanly(gw);
  } catch (e) {
    console.log('--- ussdgw output\n' + gw.output());
    console.log('--- SMSC\n' + smsc.received.map((p) => `${p.at} ${p.msisdn} ${p.ref}/${p.part} ${p.fate}`).join('\n'));
    throw e;
  } finally {
    await gw.stop().catch(() => {});
    if (centre) centre.session.socket.destroy();
    smsc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
