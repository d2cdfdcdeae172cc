// Shared helpers for the node interop tests: the npm smpp package (raw message octets),
// free ports on 127.0.0.1, npm smpp servers, the engine's config (as data, written as TOML),
// the ussdgw binary with a temporary config (started, waited for, stopped), bounded waits.
'use strict';

const path = require('path');
const fs = require('fs');
const os = require('os');
const net = require('net');
const { spawn } = require('child_process');

const SOURCE_DIR = process.env.USSDGW_SOURCE_DIR || path.resolve(__dirname, '..', '..', '..');
const NODE_DIR = path.join(SOURCE_DIR, 'scripts', 'node');
const smpp = require(path.join(NODE_DIR, 'node_modules', 'smpp'));
const text = require(path.join(NODE_DIR, 'smpp-text.js'));
text.rawMessages(smpp);

let failures = 0;
let checks = 0;
function check(cond, what) {
  checks++;
  if (cond) {
    console.log(`ok   ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${what}`);
  }
  return cond;
}

// A port that was free a moment ago (bound to 0 by the kernel, then released).
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

// Resolves with fn's value, or rejects after ms (the test's own bound on every wait).
function within(ms, what, promise) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// The next event `name` on `emitter` whose payload satisfies `pred`.
function next(emitter, name, pred) {
  return new Promise((resolve) => {
    const h = (x) => {
      if (!pred || pred(x)) {
        emitter.removeListener(name, h);
        resolve(x);
      }
    };
    emitter.on(name, h);
  });
}

// Sends a request PDU and resolves with its response.
function request(session, command, fields) {
  return new Promise((resolve, reject) => {
    const ok = session[command](fields || {}, (resp) => resolve(resp));
    if (!ok) reject(new Error(`${command}: socket not writable`));
  });
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = smpp.connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

// A TOML value: strings quoted (JSON's escapes are TOML's), arrays of values, numbers and
// booleans as they are.
function tomlValue(v) {
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(', ')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

// TOML text of `tables` ({name: {key: value}} for [name], {name: [{...}, ...]} for [[name]]),
// in the order given; keys whose value is undefined are left out.
function toml(tables) {
  let out = '';
  const table = (header, keys) => {
    out += `${header}\n`;
    for (const [k, v] of Object.entries(keys)) {
      if (v !== undefined) out += `${k} = ${tomlValue(v)}\n`;
    }
    out += '\n';
  };
  for (const [name, keys] of Object.entries(tables)) {
    if (Array.isArray(keys)) {
      for (const k of keys) table(`[[${name}]]`, k);
    } else {
      table(`[${name}]`, keys);
    }
  }
  return out;
}

// The sections every `ussdgw run` needs besides [smpp]: the shipped menus, HTTP on a free
// port, and a fresh database and key file in the test's temporary directory (cheap Argon2
// for tests), with `storage` keys added to [storage].
function engineSections(dir, storage) {
  return toml({
    menus: { directory: path.join(SOURCE_DIR, 'menus', 'cabinet') },
    http: { listen: '127.0.0.1:0' },
    storage: Object.assign({
      database: path.join(dir, 'ussdgw.db'),
      key_file: path.join(dir, 'storage.key'),
      argon2_memlimit: 8388608,
    }, storage),
  });
}

// A test engine's config: an info log; [smpp] with quick reconnects (and `smpp` keys); a
// [[smpp.client]] link to 127.0.0.1 as ussdgw/ussdgw for each of `clients` ({name, port,
// ...keys}); the listener on a free port (or `server` keys) with `accounts` ({system_id,
// ...keys}, the password the system_id unless given), when there are any; further `tables`;
// and, with `dir`, the engineSections of `dir` with `storage` keys (without, startUssdgw
// adds them in a directory of its own).
function engineConfig({ dir, smpp: smppKeys, clients = [], server, accounts = [], tables,
                        storage } = {}) {
  const t = {
    log: { level: 'info' },
    smpp: Object.assign({ enquire_link_interval: '5s', reconnect_min: '100ms',
                          reconnect_max: '500ms' }, smppKeys),
    'smpp.client': clients.map(({ name, port, ...keys }) => Object.assign(
      { name, host: '127.0.0.1', port, system_id: 'ussdgw', password: 'ussdgw' }, keys)),
  };
  if (accounts.length || server) {
    t['smpp.server'] = Object.assign({ enabled: true, listen: '127.0.0.1:0' }, server);
    t['smpp.server.account'] = accounts.map(({ system_id: id, ...keys }) =>
      Object.assign({ system_id: id, password: id }, keys));
  }
  return toml(Object.assign(t, tables)) + (dir ? engineSections(dir, storage) : '');
}

// A fresh temporary directory named after `what` (the test removes it when done).
function tempDir(what) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ussdgw-${what}-`));
}

// The ussdgw binary the test was given (its only argument); usage and exit 2 without one.
function binaryArg() {
  const binary = process.argv[2];
  if (!binary) {
    console.error(`usage: ${path.basename(process.argv[1])} USSDGW_BINARY`);
    process.exit(2);
  }
  return binary;
}

// An SMSC or USSD centre on npm smpp, listening on 127.0.0.1:`port`: answers enquire_link
// and unbind, ignores socket errors, and hands each session to `onSession` for the rest.
// Resolves with the server once it listens (rejects when it cannot listen).
function smppServer(port, onSession) {
  const server = smpp.createServer((session) => {
    session.on('error', () => {});
    session.on('enquire_link', (pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu) => {
      session.send(pdu.response());
      session.close();
    });
    onSession(session);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

// Runs `ussdgw --config <tmp> run ...` with the given TOML text. Returns {proc, output(),
// waitFor(regex, ms), stop()}; stop() sends SIGTERM and resolves with the exit code.
function startUssdgw(binary, tomlText, args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ussdgw-interop-'));
  const conf = path.join(dir, 'ussdgw.toml');
  fs.writeFileSync(conf, tomlText + (tomlText.includes('[storage]') ? '' : engineSections(dir)));
  const proc = spawn(path.resolve(binary), ['--config', conf, 'run'].concat(args || []),
                     { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const em = new (require('events').EventEmitter)();
  const feed = (d) => {
    out += d.toString();
    em.emit('data');
  };
  proc.stdout.on('data', feed);
  proc.stderr.on('data', feed);
  let exitCode = null;
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, sig) => {
      exitCode = code === null ? 128 : code;
      if (sig) out += `\n[ussdgw killed by ${sig}]\n`;
      em.emit('data');
      resolve(exitCode);
    });
    proc.on('error', (e) => {  // could not start at all
      out += `\n[cannot run ${binary}: ${e.message}]\n`;
      exitCode = 127;
      em.emit('data');
      resolve(exitCode);
    });
  });
  return {
    proc, dir, conf, exited,
    output: () => out,
    waitFor(re, ms) {
      return within(ms || 10000, `ussdgw output ${re}`, new Promise((resolve, reject) => {
        const test = () => {
          const m = out.match(re);
          if (m) {
            em.removeListener('data', test);
            resolve(m);
          } else if (exitCode !== null) {
            em.removeListener('data', test);
            reject(new Error(`ussdgw exited (${exitCode}) before printing ${re}`));
          }
        };
        em.on('data', test);
        test();
      }));
    },
    // Waits until the SMPP listener listens (resolves with its port; null with `listener`
    // false) and each client link named in `links` is bound.
    async ready({ links = [], listener = true } = {}) {
      const port = listener ? Number((await this.waitFor(/smpp\.listening.* port=(\d+)/))[1]) : null;
      for (const link of links) await this.waitFor(new RegExp(`event=engine\\.link_up link=${link}\\b`));
      return port;
    },
    async stop(ms) {
      if (exitCode === null) proc.kill('SIGTERM');
      try {
        return await within(ms || 10000, 'ussdgw to exit', exited);
      } catch (e) {
        proc.kill('SIGKILL');
        await exited;
        throw e;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// A fresh directory with the demo subscribers imported into the database that
// `engineSections(dir)` names (the config text `tomlText` must use those sections).
function importDemo(binary, tomlText, dir) {
  const { spawnSync } = require('child_process');
  const conf = path.join(dir, 'import.toml');
  fs.writeFileSync(conf, tomlText);
  const r = spawnSync(binary, ['--config', conf, 'subscribers', 'import',
                              path.join(SOURCE_DIR, 'conf', 'demo-subscribers.csv')],
                      { encoding: 'utf8' });
  return { ok: r.status === 0, output: (r.stdout + r.stderr).trim() };
}

// The active subscribers of conf/demo-subscribers.csv (a suspended one gets no password).
const ACTIVE_DEMO_SUBSCRIBERS = ['375291000001', '375291000002', '375291000003', '375291000005',
                                 '375291000006', '375291000007', '375292000001', '375292000002',
                                 '375292000003', '375292000004'];

// The rows of a read-only sqlite3 query, as text.
function sql(db, query) {
  const { spawnSync } = require('child_process');
  const r = spawnSync('sqlite3', ['-readonly', db, query], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

// Stops `gw` (SIGTERM) and checks that `who` exits 0; resolves with the exit code.
async function exitsCleanly(gw, who) {
  const code = await gw.stop(15000);
  check(code === 0, `${who || 'ussdgw'} exits 0 on SIGTERM (${code})`);
  return code;
}

// Runs main() with an overall bound; prints a summary, exits non-zero on any failure.
function run(name, limitMs, main) {
  const timer = setTimeout(() => {
    console.log(`FAIL ${name}: overall limit of ${limitMs} ms reached`);
    process.exit(1);
  }, limitMs);
  main().then(() => {
    clearTimeout(timer);
    console.log(`${name}: ${checks - failures}/${checks} checks passed`);
    process.exit(failures === 0 && checks > 0 ? 0 : 1);
  }, (e) => {
    clearTimeout(timer);
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  });
}

module.exports = { smpp, text, SOURCE_DIR, NODE_DIR, check, freePort, within, next, request,
                   connect, toml, engineSections, engineConfig, tempDir, binaryArg, smppServer,
                   importDemo, ACTIVE_DEMO_SUBSCRIBERS, sql, startUssdgw, exitsCleanly, run };
