#!/usr/bin/env node
// netsim: the local network simulator. An SMSC and a USSD centre on 127.0.0.1 that the
// engine's client links bind to (SMPP 3.4, npm `smpp`), and a subscriber you play from
// the keyboard. See `node scripts/node/netsim.js --help`.
'use strict';

const path = require('path');
const fs = require('fs');
const readline = require('readline');
const smpp = require(path.join(__dirname, 'node_modules', 'smpp'));
const text = require('./smpp-text');
text.rawMessages(smpp);

const HELP = `netsim: local SMSC + USSD centre for ussdgw (SMPP 3.4 server on 127.0.0.1)

usage: node scripts/node/netsim.js [options]
  --port N            listen port (env NETSIM_PORT, default 2775; 0 = any free port)
  --system-id ID      accepted system_id (env NETSIM_SYSTEM_ID, default ussdgw)
  --password PW       accepted password  (env NETSIM_PASSWORD, default ussdgw)
  --dial MSISDN CODE [ANSWER...]
                      non-interactive: wait for the engine to bind, dial CODE as MSISDN,
                      answer each USSD question with the next ANSWER; exit 0 when the
                      dialogue ends (after the last answer's reply), 1 on timeout
  --script FILE       non-interactive: run FILE's lines (same syntax as typed input, plus
                      "expect-sms MSISDN" to wait for an SMS to MSISDN, "nowait MSISDN TEXT"
                      to answer or dial without waiting for the reply, and "sleep MS");
                      exit 0 at the end
  --timeout SECONDS   limit for --dial/--script (default 30)
  --receipt-delay MS  delay before delivery receipts (default 200)
  --json              also print every event as one JSON line on stdout ("@json {...}")
  --quiet             no help banner
  --note TEXT         interactive: print TEXT under the banner (scripts/run.sh: the page's
                      address and the first steps)

Type lines as the subscriber:
  375291234567 *141*0#     dial a USSD string (deliver_sm, ussd_service_op 1 = new dialogue)
  375291234567 1           answer the open dialogue (ussd_service_op 18) or dial if none
  release 375291234567     the network releases the dialogue (ussd_service_op 0x81)
  sms 375291234567 TEXT    an ordinary mobile-originated SMS to the engine
  status                   bound engine sessions and open dialogues
  help / quit
The engine's USSD replies (submit_sm, op 2 = continue, 17 = end) and SMS are printed;
SMS asking for a receipt (registered_delivery) get a deliver_sm receipt (stat:DELIVRD).
`;

// ---- options ----
const opts = {
  port: Number(process.env.NETSIM_PORT || 2775),
  systemId: process.env.NETSIM_SYSTEM_ID || 'ussdgw',
  password: process.env.NETSIM_PASSWORD || 'ussdgw',
  dial: null,
  script: null,
  timeout: 30,
  receiptDelay: 200,
  json: false,
  quiet: false,
  note: '',
  serviceNumber: '141',
};
{
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const need = () => {
      if (i + 1 >= a.length) die(`${a[i]} needs a value`);
      return a[++i];
    };
    switch (a[i]) {
      case '--port': opts.port = Number(need()); break;
      case '--system-id': opts.systemId = need(); break;
      case '--password': opts.password = need(); break;
      case '--timeout': opts.timeout = Number(need()); break;
      case '--receipt-delay': opts.receiptDelay = Number(need()); break;
      case '--script': opts.script = need(); break;
      case '--json': opts.json = true; break;
      case '--quiet': opts.quiet = true; break;
      case '--note': opts.note = need(); break;
      case '--dial': {
        const msisdn = need();
        const code = need();
        const answers = [];
        while (i + 1 < a.length && !a[i + 1].startsWith('--')) answers.push(a[++i]);
        opts.dial = { msisdn, code, answers };
        break;
      }
      case '-h': case '--help': process.stdout.write(HELP); process.exit(0); break;
      default: die(`unknown argument ${a[i]} (try --help)`);
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) die('bad --port');
}

function die(msg) {
  process.stderr.write(`netsim: ${msg}\n`);
  process.exit(2);
}

const interactive = !opts.dial && !opts.script;

function say(line) {
  process.stdout.write(line + '\n');
}
function event(kind, fields) {
  if (opts.json) process.stdout.write('@json ' + JSON.stringify(Object.assign({ event: kind }, fields)) + '\n');
}

// ---- state ----
const sessions = new Set();  // bound engine sessions that can receive deliver_sm
const dialogues = new Map(); // msisdn -> {session, seq, awaitingAnswer, link}
let nextSessionNumber = 1;
let nextMessageId = 1;
const waiters = [];           // {match(ev) -> bool, resolve}
// SMS that arrived while no script line waited for them: the password SMS may overtake the
// USSD screen that announces it, and a later "expect-sms" must still see it. Kept only when a
// script runs (nothing claims them in interactive mode, where they would only pile up).
const unclaimedSms = [];

function emitToWaiters(ev) {
  for (let i = 0; i < waiters.length; i++) {
    if (waiters[i].match(ev)) {
      const w = waiters.splice(i, 1)[0];
      w.resolve(ev);
      return;
    }
  }
  if (ev.event === 'sms' && opts.script) unclaimedSms.push(ev);
}
function waitFor(match) {
  const i = unclaimedSms.findIndex(match);
  if (i >= 0) return Promise.resolve(unclaimedSms.splice(i, 1)[0]);
  return new Promise((resolve) => waiters.push({ match, resolve }));
}

function opName(op) {
  switch (op) {
    case 0: return 'PSSD indication';
    case 1: return 'PSSR indication';
    case 2: return 'continue (USSR request)';
    case 3: return 'notify (USSN request)';
    case 16: return 'PSSD response';
    case 17: return 'end (PSSR response)';
    case 18: return 'answer (USSR confirm)';
    case 19: return 'USSN confirm';
    default: return 'op ' + op;
  }
}

function pickSession() {
  for (const s of sessions) if (s.canReceive) return s;
  return null;
}

// ---- the SMPP server ----
const server = smpp.createServer((session) => {
  session.bound = false;
  session.canReceive = false;
  const peer = `${session.socket.remoteAddress}:${session.socket.remotePort}`;

  const onBind = (type) => (pdu) => {
    if (session.bound) {
      session.send(pdu.response({ command_status: smpp.ESME_RALYBND }));
      return;
    }
    if (pdu.system_id !== opts.systemId) {
      session.send(pdu.response({ command_status: smpp.ESME_RINVSYSID }));
      say(`netsim: refused bind from ${peer}: unknown system_id "${pdu.system_id}"`);
      return;
    }
    if (pdu.password !== opts.password) {
      session.send(pdu.response({ command_status: smpp.ESME_RINVPASWD }));
      say(`netsim: refused bind from ${peer}: wrong password for "${pdu.system_id}"`);
      return;
    }
    session.send(pdu.response({ system_id: 'netsim' }));
    session.bound = true;
    session.canReceive = type !== 'transmitter';
    sessions.add(session);
    say(`netsim: engine bound as ${type} (system_id ${pdu.system_id}, ` +
        `interface_version 0x${(pdu.interface_version || 0).toString(16)}) from ${peer}`);
    event('bind', { type, system_id: pdu.system_id });
    emitToWaiters({ event: 'bind', type });
  };
  session.on('bind_transceiver', onBind('transceiver'));
  session.on('bind_transmitter', onBind('transmitter'));
  session.on('bind_receiver', onBind('receiver'));

  session.on('enquire_link', (pdu) => session.send(pdu.response()));

  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    session.bound = false;
    sessions.delete(session);
    say(`netsim: engine unbound (${peer})`);
    event('unbind', {});
    session.close();
  });

  session.on('submit_sm', (pdu) => {
    if (!session.bound) {
      session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
      return;
    }
    const messageId = (nextMessageId++).toString(16).padStart(8, '0');
    session.send(pdu.response({ message_id: messageId }));
    const body = text.messageText(pdu);
    const to = pdu.destination_addr;
    if (pdu.ussd_service_op !== undefined) onUssdReply(session, pdu, to, body);
    else onSms(session, pdu, to, body, messageId);
  });

  session.on('data_sm', (pdu) => {
    session.send(pdu.response({ message_id: (nextMessageId++).toString(16).padStart(8, '0') }));
  });

  session.on('deliver_sm_resp', (pdu) => {
    if (pdu.command_status !== 0) {
      say(`netsim: engine answered deliver_sm #${pdu.sequence_number} with status 0x${pdu.command_status.toString(16)}`);
    }
  });

  session.on('pdu', (pdu) => {
    if (pdu.command === 'unknown') session.send(pdu.response());
  });

  session.on('close', () => {
    if (sessions.delete(session)) say(`netsim: engine connection closed (${peer})`);
    event('close', {});
  });
  session.on('error', (e) => say(`netsim: connection error (${peer}): ${e.message}`));
});

function onUssdReply(session, pdu, msisdn, body) {
  const op = pdu.ussd_service_op;
  const d = dialogues.get(msisdn);
  const info = pdu.its_session_info;
  const end = op !== 2 || (info && info.length === 2 && (info[1] & 1) === 1);
  say(`USSD to ${msisdn} [${opName(op)}]:\n  ${body.split('\n').join('\n  ')}`);
  if (d && info && info.length === 2 && info[0] !== (d.session & 0xff)) {
    say(`netsim: warning: its_session_info session ${info[0]} does not match dialogue ${d.session}`);
  }
  if (d) {
    if (end) dialogues.delete(msisdn);
    else d.awaitingAnswer = true;
  }
  if (interactive && !end) say(`  (answer with: ${msisdn} <text>)`);
  const ev = { event: 'ussd', msisdn, op, end, text: body,
               its_session_info: info ? Array.from(info) : null,
               service_type: pdu.service_type, data_coding: pdu.data_coding };
  event('ussd', ev);
  emitToWaiters(ev);
}

function onSms(session, pdu, msisdn, body, messageId) {
  say(`SMS to ${msisdn} from ${pdu.source_addr || '?'} (id ${messageId}):\n  ${body}`);
  const ev = { event: 'sms', msisdn, from: pdu.source_addr, text: body, message_id: messageId,
               data_coding: pdu.data_coding, registered_delivery: pdu.registered_delivery };
  event('sms', ev);
  emitToWaiters(ev);
  if ((pdu.registered_delivery & 0x03) === 0) return;
  const submitted = new Date();
  setTimeout(() => {
    const target = session.canReceive && session.bound ? session : pickSession();
    if (!target) {
      say(`netsim: no receiver bound; receipt for ${messageId} dropped`);
      return;
    }
    const receipt = text.receiptText(messageId, submitted, new Date(), 'DELIVRD', body);
    target.deliver_sm({
      service_type: '',
      source_addr_ton: pdu.dest_addr_ton, source_addr_npi: pdu.dest_addr_npi, source_addr: msisdn,
      dest_addr_ton: pdu.source_addr_ton, dest_addr_npi: pdu.source_addr_npi,
      destination_addr: pdu.source_addr || '',
      esm_class: 0x04,
      data_coding: 0,
      short_message: Buffer.from(receipt, 'ascii'),
      receipted_message_id: messageId,
      message_state: smpp.MESSAGE_STATE.DELIVERED,
    });
    say(`netsim: receipt for ${messageId} sent (stat:DELIVRD)`);
    event('receipt', { message_id: messageId, msisdn });
  }, opts.receiptDelay);
}

// Sends what the subscriber typed. Returns false when no engine is bound.
function subscriberSays(msisdn, input) {
  const s = pickSession();
  if (!s) {
    say('netsim: no engine bound (as transceiver or receiver) yet');
    return false;
  }
  let d = dialogues.get(msisdn);
  let op;
  if (d && d.awaitingAnswer) {
    op = 18;
    d.seq += 1;
    d.awaitingAnswer = false;
  } else {
    if (d) dialogues.delete(msisdn);  // a new dial replaces a dialogue that had no question open
    d = { session: nextSessionNumber, seq: 0, awaitingAnswer: false };
    nextSessionNumber = (nextSessionNumber % 255) + 1;
    dialogues.set(msisdn, d);
    op = 1;
  }
  const enc = text.encodeText(input);
  s.deliver_sm({
    service_type: 'USSD',
    source_addr_ton: 1, source_addr_npi: 1, source_addr: msisdn,
    dest_addr_ton: 0, dest_addr_npi: 1, destination_addr: opts.serviceNumber,
    esm_class: 0,
    data_coding: enc.data_coding,
    short_message: enc.octets,
    ussd_service_op: op,
    its_session_info: text.sessionInfo(d.session, d.seq, false),
  });
  event('sent', { msisdn, op, text: input, session: d.session, seq: d.seq });
  return true;
}

function release(msisdn) {
  const s = pickSession();
  const d = dialogues.get(msisdn);
  if (!s || !d) {
    say(`netsim: no open dialogue for ${msisdn}`);
    return;
  }
  d.seq += 1;
  s.deliver_sm({
    service_type: 'USSD',
    source_addr_ton: 1, source_addr_npi: 1, source_addr: msisdn,
    dest_addr_ton: 0, dest_addr_npi: 1, destination_addr: opts.serviceNumber,
    data_coding: 0, short_message: Buffer.alloc(0),
    ussd_service_op: 0x81,
    its_session_info: text.sessionInfo(d.session, d.seq, true),
  });
  dialogues.delete(msisdn);
  say(`netsim: released the dialogue with ${msisdn}`);
}

function mobileOriginatedSms(msisdn, body) {
  const s = pickSession();
  if (!s) return say('netsim: no engine bound yet');
  const enc = text.encodeText(body);
  s.deliver_sm({
    source_addr_ton: 1, source_addr_npi: 1, source_addr: msisdn,
    dest_addr_ton: 0, dest_addr_npi: 1, destination_addr: opts.serviceNumber,
    data_coding: enc.data_coding, short_message: enc.octets,
  });
}

function status() {
  say(`netsim: ${sessions.size} engine session(s) bound; ${dialogues.size} open dialogue(s)`);
  for (const [m, d] of dialogues) {
    say(`  ${m}: session ${d.session}, seq ${d.seq}${d.awaitingAnswer ? ', waiting for the subscriber' : ''}`);
  }
}

// One input line, as typed. Returns a promise for script mode (resolved when the line's
// effect has been observed), or null.
function handleLine(raw, scripted) {
  const line = raw.trim();
  if (!line || line.startsWith('#')) return null;
  const words = line.split(/\s+/);
  const cmd = words[0].toLowerCase();
  if (cmd === 'help' || cmd === '?') { process.stdout.write(HELP); return null; }
  if (cmd === 'quit' || cmd === 'exit') { shutdown(0); return null; }
  if (cmd === 'status') { status(); return null; }
  if (cmd === 'release' && words[1]) { release(words[1]); return null; }
  if (cmd === 'sms' && words.length >= 3) {
    mobileOriginatedSms(words[1], line.slice(line.indexOf(words[1], words[0].length) + words[1].length).trim());
    return null;
  }
  if (cmd === 'expect-sms' && words[1]) {
    return scripted ? waitFor((ev) => ev.event === 'sms' && ev.msisdn === words[1]) : null;
  }
  if (cmd === 'sleep' && /^\d+$/.test(words[1] || '')) {
    return scripted ? new Promise((resolve) => setTimeout(resolve, Number(words[1]))) : null;
  }
  if (cmd === 'nowait' && /^\+?\d{5,20}$/.test(words[1] || '') && words.length >= 3) {
    // The subscriber's line goes out; the script does not wait for the engine's reply
    // (to release the dialogue or dial again while the engine is still working on it).
    const msisdn = words[1].replace(/^\+/, '');
    subscriberSays(msisdn, line.slice(line.indexOf(words[1]) + words[1].length).trim());
    return null;
  }
  if (/^\+?\d{5,20}$/.test(words[0]) && words.length >= 2) {
    const msisdn = words[0].replace(/^\+/, '');
    const input = line.slice(words[0].length).trim();
    const reply = scripted ? waitFor((ev) => ev.event === 'ussd' && ev.msisdn === msisdn) : null;
    if (!subscriberSays(msisdn, input)) return scripted ? Promise.reject(new Error('no engine bound')) : null;
    return reply;
  }
  say(`netsim: cannot read "${line}" (type help)`);
  return null;
}

let shuttingDown = false;
function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  process.exitCode = code;
  for (const s of sessions) {
    try { s.unbind(); } catch (e) { /* closing anyway */ }
  }
  server.close();
  setTimeout(() => {
    for (const s of sessions) s.destroy();
    process.exit(code);
  }, 200);
}

async function runNonInteractive() {
  const deadline = setTimeout(() => {
    say(`netsim: timeout after ${opts.timeout}s`);
    event('timeout', {});
    shutdown(1);
  }, opts.timeout * 1000);
  if (!pickSession()) await waitFor((ev) => ev.event === 'bind' && ev.type !== 'transmitter');
  let lines;
  if (opts.dial) {
    lines = [`${opts.dial.msisdn} ${opts.dial.code}`].concat(opts.dial.answers.map((x) => `${opts.dial.msisdn} ${x}`));
  } else {
    lines = fs.readFileSync(opts.script, 'utf8').split('\n');
  }
  for (const l of lines) {
    const p = handleLine(l, true);
    if (p) {
      const ev = await p;
      if (opts.dial && ev.end && lines.indexOf(l) < lines.length - 1) {
        say('netsim: the engine ended the dialogue before all answers were given');
        clearTimeout(deadline);
        return shutdown(1);
      }
    }
  }
  clearTimeout(deadline);
  shutdown(0);
}

// Where the subscriber types. scripts/run.sh starts netsim in the background, where stdin
// is /dev/null: then read the controlling terminal if there is one. A pipe or a file on
// stdin is read as it is.
function subscriberInput() {
  try {
    const st = fs.fstatSync(0);
    if (process.stdin.isTTY || st.isFIFO() || st.isFile() || st.isSocket()) return process.stdin;
    const fd = fs.openSync('/dev/tty', 'r');
    return fs.createReadStream(null, { fd });
  } catch (e) {
    return process.stdin;
  }
}

server.on('error', (e) => die(`cannot listen on 127.0.0.1:${opts.port}: ${e.message}`));
server.listen(opts.port, '127.0.0.1', () => {
  const port = server.address().port;
  if (!opts.quiet && interactive) process.stdout.write(HELP + '\n');
  say(`netsim: listening on 127.0.0.1:${port} (system_id "${opts.systemId}")`);
  if (interactive && opts.note) say(opts.note);
  event('listening', { port });
  if (interactive) {
    const rl = readline.createInterface({ input: subscriberInput(), terminal: false });
    rl.on('line', (l) => handleLine(l, false));
    // When the input ends (no terminal at all) the simulator keeps serving the engine.
  } else {
    runNonInteractive().catch((e) => {
      say(`netsim: ${e.message}`);
      shutdown(1);
    });
  }
});

process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
