#!/usr/bin/env node
// bench-server: the npm `smpp` server used as the reference peer by `ussdgw bench smpp`.
// Accepts any bind, answers enquire_link, unbind and every submit_sm with an ok
// submit_sm_resp carrying a message id. Prints "listening <port>" once it accepts
// connections; exits on SIGTERM/SIGINT or when stdin closes (its parent went away).
//   node scripts/node/bench-server.js [--port N]   (default 0: any free port)
'use strict';

const path = require('path');
const smpp = require(path.join(__dirname, 'node_modules', 'smpp'));

let port = 0;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--port' && i + 1 < argv.length) port = Number(argv[++i]);
  else {
    process.stderr.write(`bench-server: unknown argument ${argv[i]}\n`);
    process.exit(2);
  }
}

let nextId = 1;
let submits = 0;
const server = smpp.createServer((session) => {
  const bind = (pdu) => session.send(pdu.response({ system_id: 'node-bench' }));
  session.on('bind_transceiver', bind);
  session.on('bind_transmitter', bind);
  session.on('bind_receiver', bind);
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('submit_sm', (pdu) => {
    submits++;
    session.send(pdu.response({ message_id: (nextId++).toString(16) }));
  });
  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    session.close();
  });
  session.on('error', () => session.destroy());
});

server.on('error', (e) => {
  process.stderr.write(`bench-server: ${e.message}\n`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

const stop = () => {
  process.stderr.write(`bench-server: ${submits} submit_sm answered\n`);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
