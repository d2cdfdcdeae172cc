#!/usr/bin/env node
// ussd-app: a minimal USSD application on the npm `smpp` package, written the way
// integrators write one today, as the reference for `ussdgw bench ussd`: it binds to the
// USSD centre as a transceiver (one session per link), answers each deliver_sm at once,
// keeps its dialogues in a Map in memory (keyed by subscriber and its_session_info), and
// answers each step with a submit_sm (ussd_service_op 2 to continue, 17 to end, the
// its_session_info echoed with the end bit on the final screen, the text as a string that
// the package encodes: UCS2 for Cyrillic). It serves the same screens as the engine's menus
// for *141*3*6# (own cabinet access: close with a confirmation, open with the PUK1), with
// the subscribers' access state in memory too; the PUK1 of subscriber i of the bench
// population is (i * 7919) mod 10^8 (engine/cli/BenchPopulation.hpp), standing in for the
// lookup such an application would make. No database, no audit, no durability: it is the
// floor the engine is compared with, not an equal.
//   node scripts/node/ussd-app.js --port N [--links 2] [--subscribers 1000000]
// Exits on SIGTERM/SIGINT (unbinding) or when stdin closes.
'use strict';

const path = require('path');
const smpp = require(path.join(__dirname, 'node_modules', 'smpp'));

const opts = { port: 0, links: 2, subscribers: 1000000, password: 'bench' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const v = argv[i + 1];
  switch (argv[i]) {
    case '--port': opts.port = Number(v); i++; break;
    case '--links': opts.links = Number(v); i++; break;
    case '--subscribers': opts.subscribers = Number(v); i++; break;
    default:
      process.stderr.write(`ussd-app: unknown argument ${argv[i]}\n`);
      process.exit(2);
  }
}
if (!opts.port) {
  process.stderr.write('ussd-app: --port is required\n');
  process.exit(2);
}

const FIRST_MSISDN = 375200000000;
const OP = { begin: 1, continue: 2, end: 17, answer: 18 };
const SCREENS = {
  open: 'Доступ в Личный кабинет открыт\n1 Закрыть доступ',
  closeConfirm: 'Закрыть доступ в Личный кабинет?\n1 Да\n2 Нет',
  closedDone: 'Доступ в Личный кабинет закрыт. Открыть: *141*3*6# и код PUK1',
  notChanged: 'Доступ не изменен',
  closed: 'Доступ в Личный кабинет закрыт\n1 Открыть доступ',
  pukPrompt: 'Для открытия доступа необходимо указать код PUK1 используемой SIM-карты:',
  opened: 'Доступ в Личный кабинет открыт',
  wrongPuk: 'Неверный код PUK1. Введите PUK1:',
  invalid: 'Неверный запрос. Личный кабинет: *141#',
  notSubscriber: 'Личный кабинет недоступен для вашего номера',
};

const closedAccess = new Set();  // subscribers whose access is closed
const dialogues = new Map();     // "msisdn|session" -> { state }

function subscriberIndex(msisdn) {
  const i = Number(msisdn) - FIRST_MSISDN;
  return Number.isInteger(i) && i >= 0 && i < opts.subscribers ? i : -1;
}
function puk1(i) {
  return String((i * 7919) % 100000000).padStart(8, '0');
}

// One step of the menu: returns [text, final] and updates the dialogue.
function step(msisdn, d, text) {
  switch (d.state) {
    case 'start':
      if (subscriberIndex(msisdn) < 0) return [SCREENS.notSubscriber, true];
      if (text !== '*141*3*6#') return [SCREENS.invalid, true];
      d.state = closedAccess.has(msisdn) ? 'closed' : 'open';
      return [d.state === 'open' ? SCREENS.open : SCREENS.closed, false];
    case 'open':
      if (text !== '1') return [SCREENS.invalid, true];
      d.state = 'closeConfirm';
      return [SCREENS.closeConfirm, false];
    case 'closeConfirm':
      if (text === '1') {
        closedAccess.add(msisdn);
        return [SCREENS.closedDone, true];
      }
      return [SCREENS.notChanged, true];
    case 'closed':
      if (text !== '1') return [SCREENS.invalid, true];
      d.state = 'puk';
      return [SCREENS.pukPrompt, false];
    case 'puk':
      if (text !== puk1(subscriberIndex(msisdn))) return [SCREENS.wrongPuk, false];
      closedAccess.delete(msisdn);
      return [SCREENS.opened, true];
    default:
      return [SCREENS.invalid, true];
  }
}

function onDeliver(session, pdu) {
  session.send(pdu.response());
  const op = pdu.ussd_service_op;
  if (op === undefined) return;  // not USSD
  const msisdn = pdu.source_addr;
  const its = pdu.its_session_info;
  const key = `${msisdn}|${its ? its[0] : ''}`;
  if (op !== OP.begin && op !== OP.answer) {  // a release or abort from the network
    dialogues.delete(key);
    return;
  }
  let d = dialogues.get(key);
  if (op === OP.begin || !d) {
    d = { state: 'start' };
    dialogues.set(key, d);
  }
  const text = typeof pdu.short_message === 'object' && pdu.short_message.message !== undefined
    ? String(pdu.short_message.message) : String(pdu.short_message || '');
  const [reply, final] = step(msisdn, d, text.trim());
  if (final) dialogues.delete(key);
  const out = {
    service_type: 'USSD',
    source_addr: pdu.destination_addr,
    destination_addr: msisdn,
    dest_addr_ton: pdu.source_addr_ton,
    dest_addr_npi: pdu.source_addr_npi,
    short_message: reply,
    ussd_service_op: final ? OP.end : OP.continue,
  };
  if (its) out.its_session_info = Buffer.from([its[0], final ? (its[1] | 1) : (its[1] & 0xfe)]);
  session.submit_sm(out);
}

const sessions = [];
for (let i = 0; i < opts.links; i++) {
  const session = smpp.connect({ url: `smpp://127.0.0.1:${opts.port}` });
  // Without it, Nagle holds each submit_sm behind the deliver_sm_resp written just before
  // it until the peer's delayed ACK (40 ms a step): the first fix any integrator makes.
  session.socket.setNoDelay(true);
  sessions.push(session);
  session.on('connect', () => {
    session.bind_transceiver({ system_id: `bench${i}`, password: opts.password }, (pdu) => {
      if (pdu.command_status !== 0) {
        process.stderr.write(`ussd-app: bind ${i} refused: ${pdu.command_status}\n`);
        process.exit(1);
      }
    });
  });
  session.on('deliver_sm', (pdu) => onDeliver(session, pdu));
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => { session.send(pdu.response()); session.close(); });
  session.on('error', (e) => process.stderr.write(`ussd-app: link ${i}: ${e.message}\n`));
}

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  let left = sessions.length;
  const done = () => { if (--left <= 0) process.exit(0); };
  for (const s of sessions) {
    try { s.unbind(done); } catch (e) { done(); }
  }
  setTimeout(() => process.exit(0), 1000);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
