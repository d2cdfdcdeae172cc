// Shared helpers for the node interop tests: the npm smpp package (raw message octets),
// free ports on 127.0.0.1, the ussdgw binary with a temporary config, bounded waits.
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

// The sections every `ussdgw run` needs besides [smpp]: the shipped menus, HTTP on a free
// port, and a fresh database and key file in the test's temporary directory (cheap Argon2
// for tests).
function engineSections(dir) {
  return `
[menus]
directory = ${JSON.stringify(path.join(SOURCE_DIR, 'menus', 'cabinet'))}

[http]
listen = "127.0.0.1:0"

[storage]
database = ${JSON.stringify(path.join(dir, 'ussdgw.db'))}
key_file = ${JSON.stringify(path.join(dir, 'storage.key'))}
argon2_memlimit = 8388608
`;
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

// The rows of a read-only sqlite3 query, as text.
function sql(db, query) {
  const { spawnSync } = require('child_process');
  const r = spawnSync('sqlite3', ['-readonly', db, query], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim();
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
                   connect, engineSections, importDemo, sql, startUssdgw, run };
