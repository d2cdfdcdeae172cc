// The environment the web cabinet test runs in by default: the real ussdgw binary on the
// shipped configuration (paths and ports moved to a temporary directory, the demo subscribers
// and call details imported, the session idle timeout shortened) and the local network simulator
// (scripts/node/netsim.js) as the SMSC and USSD centre, driven line by line on its stdin as a
// person types. SMS texts (passwords, one-time codes) are read from the simulator's JSON
// events.
//
// Every environment (this one, or another given with --env) has the same shape:
//   start({ussdgw}) -> {
//     baseUrl,                       the page, e.g. http://127.0.0.1:PORT
//     idleSeconds, maxWrong,         the session idle timeout and the password tries
//     dial(msisdn, code, ...answers) USSD as the subscriber: resolves with the screens' texts
//     smsMark()                      a position in the SMS seen so far
//     waitSms(msisdn, mark, ms)      the text of the first SMS to msisdn after mark
//     stop()                         ends the engine and the simulator
//     kill()                         the same at once (the test ran out of time)
//   }
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { EventEmitter } = require('events');
const h = require('../interop/peers/harness');

const IDLE_SECONDS = 8;
const MAX_WRONG = 5;
const APPLY_SECONDS = 3;

// The shipped configuration with everything that would touch the machine moved into `dir`.
function baseConfig(dir, smscPort) {
  let conf = fs.readFileSync(path.join(h.SOURCE_DIR, 'conf', 'ussdgw.toml'), 'utf8');
  const set = (re, line) => {
    if (!re.test(conf)) throw new Error(`conf/ussdgw.toml: no line matching ${re}`);
    conf = conf.replace(re, line);
  };
  set(/^database = .*$/m, `database = ${JSON.stringify(path.join(dir, 'ussdgw.db'))}`);
  set(/^key_file = .*$/m, `key_file = ${JSON.stringify(path.join(dir, 'storage.key'))}`);
  set(/^directory = "menus\/cabinet"$/m, `directory = ${JSON.stringify(path.join(h.SOURCE_DIR, 'menus', 'cabinet'))}`);
  set(/^port = 2775$/m, `port = ${smscPort}`);
  set(/^listen = "127\.0\.0\.1:2776"$/m, 'listen = "127.0.0.1:0"');
  set(/^argon2_memlimit = \d+$/m, 'argon2_memlimit = 8388608');
  set(/^password_max_wrong = \d+$/m, `password_max_wrong = ${MAX_WRONG}`);
  set(/^password_sms_per_hour = \d+$/m, 'password_sms_per_hour = 50');
  set(/^password_sms_per_day = \d+$/m, 'password_sms_per_day = 100');
  return conf;
}

// The cabinet API and the page for the test: HTTP on a free port (port 0; the engine logs the
// one it took), the page's files from this source tree (the engine runs in a temporary
// directory), the session idle timeout shortened to IDLE_SECONDS, confirmed service requests
// applied after APPLY_SECONDS, and a per-address limit of wrong logins above the test's
// deliberate ones (a dozen or so; the limit itself is the API test's business). The shipped
// service catalogue is kept: it has a paid service at most 15.40 BYN, a second one the rest
// of that balance pays for, and one dearer than 3.00 BYN.
function withHttp(conf) {
  const section = (name, keys) => {
    const header = `\n[${name}]\n`;
    const at = conf.indexOf(header);
    if (at < 0) throw new Error(`conf/ussdgw.toml: no [${name}] section`);
    let rest = conf.slice(at);
    for (const [key, value] of Object.entries(keys)) {
      const re = new RegExp(`^${key} = .*$`, 'm');
      if (!re.test(rest)) throw new Error(`conf/ussdgw.toml: no ${key} in [${name}]`);
      rest = rest.replace(re, `${key} = ${value}`);
    }
    conf = conf.slice(0, at) + rest;
  };
  section('http', { listen: '"127.0.0.1:0"' });
  section('api', {
    session_idle_timeout: `"${IDLE_SECONDS}s"`,
    service_apply_delay: `"${APPLY_SECONDS}s"`,
    login_failures_per_address: '100',
  });
  section('web', { directory: JSON.stringify(path.join(h.SOURCE_DIR, 'engine', 'web')) });
  return conf;
}

// netsim on its stdin, as a person types: `MSISDN CODE` dials, `MSISDN ANSWER` answers.
function startNetsim(port) {
  const proc = spawn('node', [path.join(h.NODE_DIR, 'netsim.js'), '--port', String(port), '--json', '--quiet'],
                     { stdio: ['pipe', 'pipe', 'inherit'] });
  const events = [];
  const em = new EventEmitter();
  let buf = '';
  proc.stdout.on('data', (d) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.startsWith('@json ')) continue;
      const ev = JSON.parse(line.slice(6));
      events.push(ev);
      em.emit('event', ev);
    }
  });
  const waitEvent = (pred, ms, what) => h.within(ms, what, new Promise((resolve) => {
    const test = (ev) => {
      if (pred(ev)) {
        em.removeListener('event', test);
        resolve(ev);
      }
    };
    em.on('event', test);
  }));
  return { proc, events, waitEvent, say: (line) => proc.stdin.write(`${line}\n`) };
}

async function start(options) {
  const smscPort = await h.freePort();
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'ussdgw-web-'));
  const conf = withHttp(baseConfig(dir, smscPort));
  const binary = (options && options.ussdgw) || path.join(h.SOURCE_DIR, 'build', 'ussdgw');
  const cfgFile = path.join(dir, 'ussdgw.toml');
  fs.writeFileSync(cfgFile, conf);
  for (const [what, file] of [['subscribers', 'demo-subscribers.csv'], ['calls', 'demo-calls.csv']]) {
    const imp = require('child_process').spawnSync(binary, ['--config', cfgFile, what, 'import',
      path.join(h.SOURCE_DIR, 'conf', file)], { encoding: 'utf8', timeout: 60000 });
    if (imp.status !== 0) throw new Error(`demo ${what} import failed: ${imp.stdout}${imp.stderr}`);
  }

  const sim = startNetsim(smscPort);
  let engine = null;
  const stopAll = async () => {
    const rc = engine ? await engine.stop(15000).catch((e) => `not stopped: ${e.message}`) : null;
    sim.proc.stdin.end('quit\n');
    await h.within(5000, 'netsim to exit', new Promise((r) => sim.proc.on('exit', r))).catch(() => sim.proc.kill('SIGKILL'));
    fs.rmSync(dir, { recursive: true, force: true });
    return rc;
  };
  let baseUrl;
  try {
    await sim.waitEvent((e) => e.event === 'listening', 10000, 'netsim listening');
    // --for: the engine ends by itself even if this process is killed before stop().
    engine = h.startUssdgw(binary, conf, ['--for', String(options.runForSeconds || 330)]);
    const listening = await engine.waitFor(/event=http\.listening listener=main \S+ port=(\d+)/, 15000);
    await engine.waitFor(/event=smpp\.bound/, 15000);
    baseUrl = `http://127.0.0.1:${listening[1]}`;
  } catch (e) {
    const log = engine ? engine.output().slice(-2000) : '';
    await stopAll();
    throw new Error(`${e.message}${log ? `\n--- engine log ---\n${log}` : ''}`);
  }

  return {
    baseUrl,
    idleSeconds: IDLE_SECONDS,
    maxWrong: MAX_WRONG,
    async dial(msisdn, code, ...answers) {
      const texts = [];
      for (const input of [code, ...answers]) {
        const reply = sim.waitEvent((e) => e.event === 'ussd' && e.msisdn === msisdn, 15000, `USSD reply to ${msisdn} ${input}`);
        sim.say(`${msisdn} ${input}`);
        texts.push((await reply).text);
      }
      return texts;
    },
    smsMark: () => sim.events.length,
    async waitSms(msisdn, mark, ms) {
      const seen = sim.events.slice(mark).find((e) => e.event === 'sms' && e.msisdn === msisdn);
      if (seen) return seen.text;
      const ev = await sim.waitEvent((e) => e.event === 'sms' && e.msisdn === msisdn, ms || 15000, `an SMS to ${msisdn}`);
      return ev.text;
    },
    async stop() {
      const rc = await stopAll();
      return { engineExit: rc, engineLog: engine.output() };
    },
    // At once, when the test runs out of time.
    kill() {
      engine.proc.kill('SIGKILL');
      sim.proc.kill('SIGKILL');
    },
  };
}

module.exports = { start, baseConfig, startNetsim };
