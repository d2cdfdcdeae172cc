#!/usr/bin/env node
// ussd-app: a minimal USSD application over HTTP as integrators write it (node's http
// module, the aggregator convention: form fields sessionId, serviceCode, phoneNumber, text
// = answers joined by '*'; answers "CON ..." / "END ..."). It serves the same three steps
// as the engine's *141*3*6# path that scripts/bench-http-ussd.sh measures: the access
// state of the subscriber (looked up in an in-memory table), "close access?", "cancelled".
// Sessions live in a Map and are forgotten when they end. The comparison point of the
// bench, not a product.
//   node scripts/node/ussd-http-app.js PORT PHONE_BASE PHONES
// Prints "listening PORT" once it serves (PORT 0 = a free port).
'use strict';

const http = require('http');
const querystring = require('querystring');

const [port = '0', phoneBase = '375200000000', phones = '100000'] = process.argv.slice(2);
const subscribers = new Map();
for (let i = 0; i < Number(phones); i++)
  subscribers.set(String(BigInt(phoneBase) + BigInt(i)), { accessOpen: true });
const sessions = new Map();

function respond(res, text) {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/ussd') {
    res.writeHead(404);
    return res.end();
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    const f = querystring.parse(body);
    const phone = String(f.phoneNumber || '').replace(/^\+/, '');
    const text = f.text || '';
    const sub = subscribers.get(phone);
    if (!f.sessionId || !sub) return respond(res, 'END Неверный запрос');
    let s = sessions.get(f.sessionId);
    if (!s) {
      s = { phone, step: 0 };
      sessions.set(f.sessionId, s);
    }
    const answers = text === '' ? [] : text.split('*');
    if (answers.length === 0) {
      return respond(res, sub.accessOpen
        ? 'CON Доступ в Личный кабинет открыт\n1 Закрыть доступ'
        : 'CON Доступ в Личный кабинет закрыт\n1 Открыть доступ');
    }
    if (answers.length === 1 && answers[0] === '1')
      return respond(res, 'CON Закрыть доступ в Личный кабинет?\n1 Да\n2 Нет');
    sessions.delete(f.sessionId);
    if (answers[1] === '1') {
      sub.accessOpen = false;
      return respond(res, 'END Доступ в Личный кабинет закрыт');
    }
    return respond(res, 'END Доступ не изменен');
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
