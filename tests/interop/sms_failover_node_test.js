// Two SMS links, one goes down: ussdgw binds to two npm smpp (0.5.1) SMSCs, both with the sms
// role, and subscribers ask for passwords through a USSD centre bound to the listener. The
// SMS alternate between the links; then SMSC A takes a submit_sm, drops the connection
// without answering it and stops listening. That part may have been taken, so the engine
// sends it again only after its response timeout, and then over link B; every later SMS
// goes over B. Counted on the SMSC side: every password SMS accepted exactly once.
//   node sms_failover_node_test.js /path/to/ussdgw
'use strict';

const fs = require('fs');
const h = require('./peers/harness');
const { UssdCentre } = require('./peers/ussd_centre');
const { text, check } = h;

const binary = h.binaryArg();
const RESPONSE_TIMEOUT_MS = 2000;
const SUBSCRIBERS = h.ACTIVE_DEMO_SUBSCRIBERS;

function config(portA, portB, dir) {
  const link = (name, port) => ({ name, port, roles: ['sms'], required: false });
  return h.engineConfig({
    dir,
    smpp: { response_timeout: `${RESPONSE_TIMEOUT_MS}ms`, reconnect_max: '300ms' },
    clients: [link('a', portA), link('b', portB)],
    accounts: [{ system_id: 'ussdc', roles: ['ussd'] }],
    tables: { sms: { poll_interval: '100ms' } },
    storage: { outbox_backoff_initial: '100ms' },
  });
}

// An SMSC that accepts (and counts) submit_sm; `dropNext()` makes it take the next one
// without answering, drop the connection and stop listening.
function smsc(name, accepted) {
  const s = { name, dropping: false, dropped: null, sessions: [] };
  s.events = new (require('events').EventEmitter)();
  s.onSession = (session) => {
    s.sessions.push(session);
    session.on('bind_transceiver', (pdu) => session.send(pdu.response({ system_id: name })));
    session.on('submit_sm', (pdu) => {
      if (s.dropping) {
        s.dropping = false;
        s.dropped = { msisdn: pdu.destination_addr, at: Date.now() };
        s.server.close();
        for (const x of s.sessions) x.socket.destroy();
        s.events.emit('dropped', s.dropped);
        return;
      }
      const id = `${name}${accepted.length + 1}`;
      session.send(pdu.response({ message_id: id }));
      accepted.push({ smsc: name, msisdn: pdu.destination_addr, text: text.messageText(pdu), at: Date.now() });
      s.events.emit('sms');
    });
  };
  s.listen = async (port) => { s.server = await h.smppServer(port, s.onSession); };
  s.dropNext = () => { s.dropping = true; };
  return s;
}

h.run('sms_failover_node', 90000, async () => {
  const dir = h.tempDir('failover');
  const accepted = [];
  const a = smsc('A', accepted);
  const b = smsc('B', accepted);
  const portA = await h.freePort();
  const portB = await h.freePort();
  await a.listen(portA);
  await b.listen(portB);

  const toml = config(portA, portB, dir);
  const imp = h.importDemo(binary, toml, dir);
  check(imp.ok, `demo subscribers imported (${imp.output.slice(-80)})`);

  const gw = h.startUssdgw(binary, toml);
  let centre = null;
  try {
    const port = await gw.ready({ links: ['a', 'b'] });
    centre = await UssdCentre.bind(port, 'ussdc', 'ussdc');
    const total = () => accepted.length;
    const password = async (msisdn, i) => {
      const { reply } = await centre.dial(msisdn, '*141*0#', i + 1);
      check(reply.final && reply.text.includes('SMS'), `${msisdn}: password sent by SMS`);
    };

    // Both links up: the SMS alternate.
    for (let i = 0; i < 4; ++i) {
      const before = total();
      await password(SUBSCRIBERS[i], i);
      await h.within(10000, 'the SMS at an SMSC', new Promise((resolve) => {
        const t = () => (total() > before ? resolve() : setTimeout(t, 20));
        t();
      }));
    }
    const early = accepted.map((m) => m.smsc).join('');
    check(early === 'ABAB', `the first SMS alternate between the links (${early})`);

    // A drops the next SMS unanswered and goes away.
    a.dropNext();
    const droppedP = h.within(10000, 'SMSC A dropping a submit_sm', h.next(a.events, 'dropped'));
    await password(SUBSCRIBERS[4], 4);
    const dropped = await droppedP;
    check(dropped.msisdn === SUBSCRIBERS[4], `SMSC A took ${dropped.msisdn} and dropped it unanswered`);
    for (let i = 5; i < SUBSCRIBERS.length; ++i) await password(SUBSCRIBERS[i], i);

    // Every SMS accepted exactly once, the dropped one over B after the response timeout.
    await h.within(20000, 'every SMS accepted', new Promise((resolve) => {
      const t = () => (new Set(accepted.map((m) => m.msisdn)).size === SUBSCRIBERS.length
        ? resolve() : setTimeout(t, 50));
      t();
    }));
    // Longer than a response timeout and a backoff more: a duplicate would have come by now.
    await new Promise((r) => setTimeout(r, RESPONSE_TIMEOUT_MS + 1500));
    for (const m of SUBSCRIBERS) {
      const n = accepted.filter((x) => x.msisdn === m).length;
      check(n === 1, `${m}: accepted exactly once (${n})`);
    }
    const again = accepted.find((x) => x.msisdn === dropped.msisdn);
    check(again && again.smsc === 'B', 'the dropped SMS was sent again over link B');
    const waited = again ? again.at - dropped.at : 0;
    check(waited >= RESPONSE_TIMEOUT_MS - 200,
          `and only after its response timeout (${waited} ms after the first send)`);
    const afterDrop = accepted.slice(4).map((m) => m.smsc).join('');
    check(/^B+$/.test(afterDrop), `every SMS after A went down left over B (${afterDrop})`);
    check(accepted.length === SUBSCRIBERS.length, `${accepted.length} SMS accepted in all`);
    check(/event=sms\.part_held/.test(gw.output()), 'the engine logged the held part (sms.part_held)');

    await h.exitsCleanly(gw);
  } catch (e) {
    console.log('--- ussdgw output\n' + gw.output());
    throw e;
  } finally {
    await gw.stop().catch(() => {});
    if (centre) centre.session.socket.destroy();
    a.server.close();
    b.server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
