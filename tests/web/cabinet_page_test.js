#!/usr/bin/env node
// The web cabinet in a real browser (headless Debian Chromium via puppeteer-core) against a
// running engine with the network simulator: the loop the product exists for (password from
// the SMS of *141*0#, login, the account, access closed and the login refused with the reason,
// reopened by USSD with the PUK1, login again), wrong passwords with tries left and the
// lockout, PUK1 login where allowed and refused where not, registration and recovery by SMS
// code, a prepaid service request refused for the balance, an administrator closing and
// reopening one of its subscribers, the session expiry, and the three languages. Screenshots
// of each main screen at phone and desktop size go to the artefacts directory; a failed step
// also saves the page, its screenshot and the browser console there. The run fails on any
// console error, uncaught exception or CSP violation (the API's expected 4xx refusals aside).
// One file over 500 lines on purpose: the browser, page and engine helpers are already in
// browser.js, cabinet_page.js and engine_env.js; what is left is the scenarios, which share one
// browser and one engine start (and its final log check), so a second file would cost CI a start.
//
// usage: cabinet_page_test.js [--ussdgw PATH] [--env MODULE] [--out DIR] [--only NAME,...]
//   --ussdgw  the engine binary (default build/ussdgw)
//   --env     the environment module (default tests/web/engine_env.js: ussdgw + netsim; see
//             its header for the shape)
//   --out     artefacts directory (default build/web-artifacts)
//   --only    run only these scenarios (languages, loop, lockout, puk-login, registration,
//             prepaid, administrator, expiry)
// Exit 77 (skipped) only when there is no browser ($USSDGW_CHROMIUM, default /usr/bin/chromium;
// scripts/setup.sh --test installs it).
'use strict';

const fs = require('fs');
const path = require('path');
const { launch, watchedPage, screenshots, saveFailure, PHONE, DESKTOP, SOURCE_DIR, CHROMIUM } = require('./browser');
const { CabinetPage, norm } = require('./cabinet_page');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ENV = path.resolve(opt('--env', path.join(__dirname, 'engine_env.js')));
const OUT = path.resolve(opt('--out', path.join(SOURCE_DIR, 'build', 'web-artifacts')));
const ONLY = opt('--only', '') ? opt('--only').split(',') : null;
const LIMIT_MS = Number(process.env.USSDGW_WEB_LIMIT_MS) || 300000; // the whole run's bound
const STARTED = Date.now();

let passed = 0;
let failed = 0;
let shotNo = 0;
// Every password, PUK1 and code the run typed or received: none may reach the engine's log.
const SECRETS = new Set(['10010001', '10050005', '10030003', '20010003']);

function expect(cond, what) {
  if (!cond) throw new Error(what);
}

// One scenario: a fresh browser context, named steps run in order; the first failing step
// saves its artefacts and ends the scenario.
async function scenario(ctx, name, viewport, body) {
  if (ONLY && !ONLY.includes(name)) return;
  console.log(`# ${name}`);
  const watched = await watchedPage(ctx.browser, ctx.env.baseUrl, viewport);
  const cab = new CabinetPage(watched, ctx.env.baseUrl);
  let current = '';
  const step = async (what, fn) => {
    current = what;
    await fn();
    const problems = watched.problems.splice(0);
    if (problems.length) throw new Error(problems.join('; '));
    passed++;
    console.log(`ok   ${name}: ${what}`);
  };
  const shoot = async (screen) => {
    shotNo++;
    await screenshots(watched.page, OUT, `${String(shotNo).padStart(2, '0')}-${screen}`, viewport);
  };
  try {
    await body({ cab, page: watched.page, step, shoot, env: ctx.env, catalogue: ctx.catalogue });
  } catch (e) {
    failed++;
    const base = await saveFailure(watched, OUT, `${name}-${current}`);
    console.log(`FAIL ${name}: ${current}: ${e.message}\n     artefacts: ${base}.{png,console.txt,html}`);
  } finally {
    console.log(`     (${watched.refusals()} API refusals seen as console errors, expected)`);
    await watched.close();
  }
}

async function passwordBySms(env, msisdn) {
  const mark = env.smsMark();
  const screens = await env.dial(msisdn, '*141*0#');
  const sms = await env.waitSms(msisdn, mark);
  const m = /:\s*(\S+)\s*$/.exec(sms);
  expect(m, `a password in the SMS to ${msisdn} (USSD said "${screens.join(' / ')}", SMS "${sms.split(':')[0]}")`);
  SECRETS.add(m[1]);
  return m[1];
}

async function codeBySms(env, msisdn, mark) {
  const sms = await env.waitSms(msisdn, mark);
  const m = /\b([0-9]{6})\b/.exec(sms);
  expect(m, `a 6-digit code in the SMS to ${msisdn}`);
  SECRETS.add(m[1]);
  return m[1];
}

// ---- the scenarios ----

async function languages({ cab, page, step, shoot }) {
  await step('the page opens in Russian with a strict CSP', async () => {
    const res = await cab.open('login');
    const csp = res.headers()['content-security-policy'] || '';
    expect(/default-src 'self'/.test(csp), `Content-Security-Policy default-src 'self' (got "${csp}")`);
    expect(await page.$eval('html', (e) => e.lang) === 'ru', 'html lang=ru');
    expect(await cab.text('#login-title') === 'Вход в Личный кабинет', 'Russian heading');
    expect(await cab.text('#login-submit') === 'Войти', 'button «Войти»');
    expect(await cab.text('a[href="#/recover"]') === 'Забыли пароль?', 'link «Забыли пароль?»');
    expect(await cab.text('a[href="#/register"]') === 'Регистрация', 'link «Регистрация»');
    await shoot('login-ru');
  });
  await step('every field has a label', async () => {
    const unlabelled = await page.$$eval('input:not([type=hidden]):not([hidden]), select', (els) =>
      els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id || e.name));
    expect(unlabelled.length === 0, `fields without a label: ${unlabelled.join(', ')}`);
  });
  await step('English', async () => {
    await page.click('#lang button[data-lang="en"]');
    expect(await page.$eval('html', (e) => e.lang) === 'en', 'html lang=en');
    expect(await cab.text('#login-title') === 'Log in to the self-service cabinet', 'English heading');
    expect(await page.$eval('#lang button[data-lang="en"]', (b) => b.getAttribute('aria-pressed')) === 'true', 'EN pressed');
    const msg = await cab.login('375299999999', 'not-the-password');
    // (an unknown number is answered like a wrong password; tries_left may or may not come)
    expect(/^Wrong phone number or password\.( You have \d+ tries? left\.)?$/.test(msg), `English refusal: "${msg}"`);
    await shoot('login-en-refused');
  });
  await step('Belarusian, remembered after a reload', async () => {
    await page.click('#lang button[data-lang="be"]');
    expect(await cab.text('#login-title') === 'Уваход у Асабісты кабінет', 'Belarusian heading');
    expect(/^Няправільны нумар тэлефона або пароль\.( Засталос[яь] \d+ спроб[аы]?\.)?$/.test(await cab.text('#login-msg')),
      `the refusal re-rendered in Belarusian: "${await cab.text('#login-msg')}"`);
    await page.reload({ waitUntil: 'networkidle0' });
    await page.waitForSelector('body.is-ready');
    expect(await page.$eval('html', (e) => e.lang) === 'be', 'still Belarusian after a reload');
    expect(await cab.text('#login-submit') === 'Увайсці', 'button «Увайсці»');
    await page.click('a[href="#/register"]');
    await page.waitForFunction(() => !document.querySelector('#screen-code').hidden);
    expect(await cab.text('#code-title') === 'Рэгістрацыя', 'registration heading in Belarusian');
    expect(await cab.text('#code-send') === 'Выслаць код', 'button «Выслаць код»');
    await shoot('register-be');
  });
  await step('a client-side check speaks the language too; back to Russian', async () => {
    await cab.fill('#code-msisdn', '12');
    await page.click('#code-send');
    expect((await cab.formMessage('#code-msg')).startsWith('Увядзіце нумар у міжнародным фармаце'), 'Belarusian validation');
    expect(await page.$eval('#code-msisdn', (e) => e.getAttribute('aria-invalid')) === 'true', 'the number marked invalid');
    await page.click('#lang button[data-lang="ru"]');
    expect((await cab.text('#code-msg')).startsWith('Введите номер в международном формате'), 'Russian validation');
  });
}

async function loop({ cab, page, step, shoot, env, catalogue }) {
  const msisdn = '375291000001';
  let password;
  await step('the password arrives by SMS after *141*0#', async () => {
    password = await passwordBySms(env, msisdn);
  });
  await step('login; the account shows tariff, balance in BYN, service and access', async () => {
    expect(await cab.login(msisdn, password) === 'cabinet', 'logged in');
    const a = await cab.account();
    expect(a.tariff === 'Комфорт', `tariff Комфорт (${a.tariff})`);
    expect(a.balance === '15,40 BYN', `balance 15,40 BYN (${a.balance})`);
    expect(a.service === 'активно', `service active (${a.service})`);
    expect(a.access === 'открыт', `access open (${a.access})`);
    expect(!(await cab.visible('#tab-org')), 'no organisation tab for a plain subscriber');
    await shoot('account');
  });
  await step('a reload keeps the session (the CSRF token comes back from /session)', async () => {
    await page.reload({ waitUntil: 'networkidle0' });
    await page.waitForSelector('#account-list .row');
    expect(await cab.screen() === 'account', 'still in the cabinet');
  });
  const cheap = catalogue.find((s) => s.price > 0 && s.price <= 1540);
  await step('services: a paid request created, confirmed, pending, then applied', async () => {
    expect(cheap, 'the catalogue has a paid service of at most 15.40 BYN');
    await cab.tab('services');
    await page.click(`#svc-list button[data-service="${cheap.code}"][data-action="connect"]`);
    await page.waitForSelector('#req-list li[data-state="created"] button[data-do="confirm"]');
    await shoot('services-created');
    await page.click('#req-list li[data-state="created"] button[data-do="confirm"]');
    await page.waitForSelector('#req-list li[data-state="pending"], #req-list li[data-state="applied"]');
    expect((await cab.notice()).startsWith('Заявка подтверждена'), `confirmed notice: ${await cab.notice()}`);
    for (let i = 0; i < 40 && !(await page.$('#req-list li[data-state="applied"]')); i++) {
      await new Promise((r) => setTimeout(r, 500));
      await cab.tab('services');
    }
    expect(await page.$('#req-list li[data-state="applied"]'), 'the request applied');
    expect(/выполнена/.test(await cab.text('#req-list li[data-state="applied"] .req-state')), 'state «выполнена»');
    expect(await page.$(`#svc-list button[data-service="${cheap.code}"][data-action="disconnect"]`), 'the service now connected');
  });
  await step('a created request can be cancelled', async () => {
    const other = catalogue.find((s) => s.code !== cheap.code && s.price <= 1540 - cheap.price);
    expect(other, 'a second affordable service');
    await page.click(`#svc-list button[data-service="${other.code}"]`);
    await page.waitForSelector('#req-list li[data-state="created"] button[data-do="cancel"]');
    await page.click('#req-list li[data-state="created"] button[data-do="cancel"]');
    await page.waitForSelector('#req-list li[data-state="annulled"]');
    await shoot('services');
  });
  await step('call details need the SMS code (step-up)', async () => {
    await cab.tab('calls');
    expect(await cab.visible('#stepup-form') && !(await cab.visible('#calls-view')), 'the code form, no records yet');
    await shoot('calls-stepup');
    const mark = env.smsMark();
    await page.click('#stepup-send');
    const code = await codeBySms(env, msisdn, mark);
    await cab.fill('#stepup-code', code === '000000' ? '111111' : '000000');
    await page.keyboard.press('Enter');
    const wrong = await cab.formMessage('#stepup-msg');
    expect(/^Неверный код из SMS\. Остал(ось|ась) \d+ попыт/.test(wrong), `wrong code with tries left: "${wrong}"`);
    await cab.fill('#stepup-code', code);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#calls-body tr');
    expect(await cab.visible('#calls-view'), 'records shown');
    const calls = await cab.rows('#calls-body');
    expect(calls.length === 5, `the five demo records of ${msisdn} (${calls.length})`);
    expect(calls.some((r) => r.cells.includes('+375 29 100-00-02') && r.cells.includes('исходящий звонок') &&
      r.cells.includes('2:05') && r.cells.includes('0,35 BYN')), `the call to +375 29 100-00-02: ${JSON.stringify(calls)}`);
    await shoot('calls');
  });
  await step('history lists the password issued, the logins, the services and the step-up', async () => {
    await cab.tab('history');
    const rows = await cab.rows('#hist-body');
    const what = rows.map((r) => r.cells[1]);
    for (const w of ['выдан новый пароль', 'вход в кабинет', 'подтверждена заявка на услугу',
      'заявка на услугу выполнена', 'отправлен код в SMS', 'открыта детализация звонков по коду из SMS']) {
      expect(what.includes(w), `«${w}» in the history: ${what.join(', ')}`);
    }
    expect(!what.some((w) => w.startsWith('событие')), `every action has a text: ${what.join(', ')}`);
    const applied = rows.find((r) => r.key === 'service.applied');
    expect(applied.cells[2] === 'автоматически, в назначенный срок', `applied by the scheduler: ${applied.cells}`);
    const issued = rows.find((r) => r.key === 'password.issued');
    expect(issued.cells[2] === 'вы' && issued.cells[3] === 'USSD', `*141*0# by you over USSD: ${issued.cells}`);
    await shoot('history');
  });
  await step('closing access: the confirmation, Escape cancels it', async () => {
    await cab.tab('account');
    await page.click('#close-access');
    expect(await cab.dialogOpen(), 'a confirmation opens');
    expect(await cab.focusedId() === 'confirm-no', 'the focus is on «Отмена» inside the dialog');
    expect((await cab.text('#confirm-text')).includes('*141*3*6#'), 'the dialog says how to reopen');
    await shoot('confirm-close');
    await page.keyboard.press('Escape');
    expect(!(await cab.dialogOpen()), 'Escape closed it');
    expect(await cab.focusedId() === 'close-access', 'the focus is back on the button');
    expect(await cab.screen() === 'account', 'nothing happened');
  });
  await step('access closed after confirming: the login with the notice', async () => {
    await page.click('#close-access');
    await page.click('#confirm-yes');
    await page.waitForFunction(() => !document.querySelector('#screen-login').hidden);
    expect((await cab.notice()).includes('*141*3*6#'), `notice: ${await cab.notice()}`);
  });
  await step('the login is refused with the reason', async () => {
    const msg = await cab.login(msisdn, password);
    expect(msg.startsWith('Доступ в Личный кабинет закрыт вами') && msg.includes('PUK1'), `refusal: "${msg}"`);
    await shoot('login-access-closed');
  });
  await step('reopened by USSD *141*3*6# with the PUK1; log in again', async () => {
    const screens = await env.dial(msisdn, '*141*3*6#', '1', '10010001');
    expect(/открыт/.test(screens[screens.length - 1]), `USSD: ${screens.join(' / ')}`);
    expect(await cab.login(msisdn, password) === 'cabinet', 'logged in again');
    expect((await cab.account()).access === 'открыт', 'access open');
  });
  let newPassword = 'Sunny-Minsk-2026';
  await step('password change: the wrong current one is counted', async () => {
    await cab.tab('password');
    await shoot('password');
    await cab.fill('#pw-current', 'wrong-one');
    await cab.fill('#pw-new', newPassword);
    await cab.fill('#pw-repeat', newPassword);
    await page.keyboard.press('Enter');
    const msg = await cab.formMessage('#pw-msg');
    expect(/^Текущий пароль указан неверно\. Остал(ось|ась) \d+ попыт/.test(msg), `"${msg}"`);
    expect(await cab.focusedId() === 'pw-current', 'the focus on the current password');
  });
  await step('password changed: every session ends; the new one logs in', async () => {
    await cab.fill('#pw-current', password);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('#screen-login').hidden);
    expect((await cab.notice()).startsWith('Пароль изменён'), `notice: ${await cab.notice()}`);
    expect(await cab.login(msisdn, newPassword) === 'cabinet', 'logged in with the new password');
  });
  await step('logout', async () => {
    await page.click('#logout');
    await page.waitForFunction(() => !document.querySelector('#screen-login').hidden);
    expect(await cab.notice() === 'Вы вышли из Личного кабинета.', `notice: ${await cab.notice()}`);
    await cab.open('account');
    expect(await cab.screen() === 'login', 'the cabinet needs a login again');
  });
  newPassword = null;
}

async function lockout({ cab, step, shoot, env }) {
  const msisdn = '375291000002';
  let password;
  await step('wrong passwords say how many tries are left', async () => {
    password = await passwordBySms(env, msisdn);
    for (let left = env.maxWrong - 1; left >= 1; left--) {
      const msg = await cab.login(msisdn, `wrong-${left}`);
      expect(msg.startsWith('Неверный номер телефона или пароль.') && msg.includes(` ${left} попыт`),
        `tries left ${left}: "${msg}"`);
    }
  });
  await step('then the lockout, with the time it ends; the right password waits too', async () => {
    const msg = await cab.login(msisdn, 'wrong-last');
    expect(/^Вход временно заблокирован .* Повторите после (\d\d:\d\d|\d\d\.\d\d\.\d{4}, \d\d:\d\d)\.$/.test(msg), `lockout: "${msg}"`);
    await shoot('login-locked');
    const again = await cab.login(msisdn, password);
    expect(again.startsWith('Вход временно заблокирован'), `still locked: "${again}"`);
  });
}

async function pukLogin({ cab, page, step, shoot }) {
  const video = '375291000005'; // «Видеонаблюдение»: PUK1 login by its tariff plan, no password
  await step('no password yet: refused like a wrong password, with the ways to get one', async () => {
    const msg = await cab.login(video, 'anything');
    expect(/^Неверный номер телефона или пароль\. Остал(ось|ась) \d+ попыт/.test(msg), `"${msg}"`);
    expect((await cab.text('#login-suggest .hint')).includes('*141*0#'), 'the hint names *141*0#');
    const offered = await page.$$eval('#login-suggest button', (bs) => bs.map((b) => b.textContent));
    expect(offered.join('|') === 'Восстановить пароль|Зарегистрироваться', `offered: ${offered}`);
    await shoot('login-wrong-hint');
    await page.click('#login-suggest button[data-i18n="login.suggest_register"]');
    await page.waitForFunction(() => !document.querySelector('#screen-code').hidden);
    expect(await cab.text('#code-title') === 'Регистрация', 'the registration screen');
    expect(await page.$eval('#code-msisdn', (e) => e.value) === video, 'the number carried over');
  });
  await step('a wrong PUK1 is counted like a wrong password', async () => {
    const msg = await cab.login('375291000006', '99999999', true);
    expect(/^Неверный номер телефона или код PUK1\. Остал(ось|ась) \d+ попыт/.test(msg), `"${msg}"`);
    expect(await cab.focusedId() === 'login-puk', 'the focus back on the PUK1');
  });
  await step('PUK1 login where the tariff plan allows it', async () => {
    expect(await cab.login(video, '10050005', true) === 'cabinet', 'logged in with PUK1');
    expect((await cab.notice()).startsWith('Вы вошли по коду PUK1'), 'the PUK1 notice');
    const a = await cab.account();
    expect(a.puk === 'разрешён', `PUK1 login allowed (${a.puk})`);
    expect(a.password.startsWith('не задан'), `no password (${a.password})`);
  });
  await step('the first password is set without a current one', async () => {
    await cab.tab('password');
    expect(await cab.visible('#pw-no-password'), 'the password tab says there is none yet');
    expect(!(await cab.visible('#pw-current')), 'no current password asked');
    await shoot('password-first');
    await cab.fill('#pw-new', 'Camera-Grodno-3');
    await cab.fill('#pw-repeat', 'Camera-Grodno-3');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('#screen-login').hidden, { timeout: 15000 });
    expect((await cab.notice()).startsWith('Пароль изменён'), `notice: ${await cab.notice()}`);
    expect(await cab.login(video, 'Camera-Grodno-3') === 'cabinet', 'logged in with it');
    expect((await cab.account()).password.startsWith('задан'), 'the account shows a password');
    await page.click('#logout');
    await page.waitForFunction(() => !document.querySelector('#screen-login').hidden);
  });
  await step('PUK1 login refused where not allowed, with the way out', async () => {
    const msg = await cab.login('375292000003', '20010003', true);
    expect(msg.startsWith('Вход по коду PUK1 для этого номера не разрешён') && msg.includes('*141*0#'), `"${msg}"`);
    await shoot('login-puk-refused');
    await page.click('#login-suggest button');
    expect(await cab.focusedId() === 'login-password', 'the button switches to the password');
  });
}

async function registration({ cab, page, step, shoot, env }) {
  const msisdn = '375291000007';
  let code;
  await step('«Регистрация»: the number, «Выслать код», the SMS code arrives', async () => {
    await cab.open('login');
    await page.click('a[href="#/register"]');
    await page.waitForFunction(() => !document.querySelector('#screen-code').hidden);
    expect(await cab.text('#code-title') === 'Регистрация', 'registration heading');
    await cab.fill('#code-msisdn', msisdn);
    const mark = env.smsMark();
    await page.click('#code-send');
    const info = await cab.formMessage('#code-msg');
    expect(info.startsWith('Код отправлен в SMS на номер +375 29 100-00-07'), `"${info}"`);
    code = await codeBySms(env, msisdn, mark);
    expect(await cab.focusedId() === 'code-code', 'the focus moves to the code');
    await shoot('register');
  });
  await step('a wrong code, a mismatch, a short password: each said plainly', async () => {
    await cab.fill('#code-code', code === '000000' ? '111111' : '000000');
    await cab.fill('#code-password', 'Lake-Naroch-7');
    await cab.fill('#code-repeat', 'Lake-Naroch-7');
    await page.click('#code-submit');
    const wrong = await cab.formMessage('#code-msg');
    expect(/^Неверный код из SMS\. Остал(ось|ась) \d+ попыт/.test(wrong), `wrong code: "${wrong}"`);
    await cab.fill('#code-code', code);
    await cab.fill('#code-repeat', 'Lake-Naroch-8');
    await page.click('#code-submit');
    expect(await cab.formMessage('#code-msg') === 'Пароли не совпадают.', 'mismatch');
    expect(await cab.focusedId() === 'code-repeat', 'the focus on the repeat field');
    await cab.fill('#code-password', 'abc');
    await cab.fill('#code-repeat', 'abc');
    await page.click('#code-submit');
    const short = await cab.formMessage('#code-msg');
    expect(/^Пароль слишком короткий: минимальная длина — \d+ символ/.test(short), `short: "${short}"`);
  });
  await step('registered: the cabinet opens; the new password logs in', async () => {
    await cab.fill('#code-password', 'Lake-Naroch-7');
    await cab.fill('#code-repeat', 'Lake-Naroch-7');
    await page.click('#code-submit');
    await page.waitForSelector('#account-list .row');
    expect((await cab.notice()).startsWith('Пароль задан'), 'registered notice');
    await page.click('#logout');
    await page.waitForFunction(() => !document.querySelector('#screen-login').hidden);
    expect(await cab.login(msisdn, 'Lake-Naroch-7') === 'cabinet', 'logged in with the chosen password');
  });
  await step('«Забыли пароль?» recovers another number\'s password', async () => {
    await page.click('#logout');
    await page.waitForFunction(() => !document.querySelector('#screen-login').hidden);
    await page.click('a[href="#/recover"]');
    await page.waitForFunction(() => !document.querySelector('#screen-code').hidden);
    expect(await cab.text('#code-title') === 'Восстановление пароля', 'recovery heading');
    expect(await cab.text('#code-submit') === 'Восстановить пароль', '«Восстановить пароль»');
    await cab.fill('#code-msisdn', '375291000006');
    const mark = env.smsMark();
    await page.focus('#code-msisdn');
    await page.keyboard.press('Enter'); // Enter before a code was sent asks for the code
    const c = await codeBySms(env, '375291000006', mark);
    await cab.fill('#code-code', c);
    await cab.fill('#code-password', 'Brest-Fortress-1');
    await cab.fill('#code-repeat', 'Brest-Fortress-1');
    await shoot('recover');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#account-list .row');
    expect((await cab.account()).msisdn === '+375 29 100-00-06', 'the recovered number\'s cabinet');
  });
}

async function prepaid({ cab, page, step, shoot, catalogue }) {
  const dear = catalogue.find((s) => s.price > 300);
  await step('a prepaid subscriber with 3,00 BYN asks for a dearer service: refused with the reason', async () => {
    expect(dear, 'the catalogue has a service dearer than 3.00 BYN');
    expect(await cab.login('375291000003', '10030003', true) === 'cabinet', 'PUK1 login');
    expect((await cab.account()).balance === '3,00 BYN', 'balance 3,00 BYN');
    await cab.tab('services');
    await page.click(`#svc-list button[data-service="${dear.code}"]`);
    await page.waitForSelector(`#svc-list li[data-service="${dear.code}"] .svc-refusal`);
    const msg = await cab.text(`#svc-list li[data-service="${dear.code}"] .svc-refusal`);
    const price = `${Math.floor(dear.price / 100)},${String(dear.price % 100).padStart(2, '0')} BYN`;
    expect(msg.startsWith('Недостаточно средств') && msg.includes(price) && msg.includes('3,00 BYN'), `"${msg}"`);
    expect(!(await page.$('#req-list li[data-state="created"]')), 'no request was created');
    await shoot('services-refused');
  });
}

async function administrator({ cab, page, step, shoot, env, browser }) {
  const admin = '375292000001';
  const member = '375292000003';
  let adminPw;
  let memberPw;
  await step('the administrator sees the organisation\'s subscribers only', async () => {
    adminPw = await passwordBySms(env, admin);
    memberPw = await passwordBySms(env, member);
    expect(await cab.login(admin, adminPw) === 'cabinet', 'administrator logged in');
    expect(await cab.visible('#tab-org'), 'the organisation tab');
    await cab.tab('org');
    const numbers = (await cab.rows('#org-body')).map((r) => r.key);
    expect(numbers.includes(member) && numbers.includes('375292000002'), `the client's numbers: ${numbers}`);
    expect(!numbers.includes('375293000002') && !numbers.includes('375291000001'), 'no other client\'s numbers');
    await shoot('org');
  });
  await step('the filters: prefix and access', async () => {
    await cab.fill('#org-prefix', '37529200000');
    await page.select('#org-access', 'closed');
    await page.click('#org-search');
    await page.waitForNetworkIdle({ idleTime: 150 });
    expect((await cab.rows('#org-body')).every((r) => r.key === ''), 'no closed numbers yet');
    await page.select('#org-access', '');
    await cab.fill('#org-prefix', '375292000003');
    await page.click('#org-search');
    await page.waitForNetworkIdle({ idleTime: 150 });
    const rows = await cab.rows('#org-body');
    expect(rows.length === 1 && rows[0].key === member, `prefix filter: ${rows.map((r) => r.key)}`);
  });
  await step('closing a subscriber\'s access, confirmed', async () => {
    await page.click(`#org-body tr[data-msisdn="${member}"] button[data-do="close"]`);
    expect(await cab.dialogOpen(), 'a confirmation');
    expect((await cab.text('#confirm-title')).includes('+375 29 200-00-03'), 'it names the number');
    await page.click('#confirm-yes');
    await page.waitForSelector(`#org-body tr[data-msisdn="${member}"] button[data-do="open"]`);
    const row = (await cab.rows('#org-body')).find((r) => r.key === member);
    expect(row.cells.some((c) => c.startsWith('закрыт по заявлению организации')), `row: ${row.cells}`);
    expect((await cab.notice()) === 'Доступ абоненту +375 29 200-00-03 закрыт.', `notice: ${await cab.notice()}`);
  });
  await step('the subscriber\'s login is refused: closed at the organisation\'s request', async () => {
    const other = await watchedPage(browser, env.baseUrl, DESKTOP);
    try {
      const msg = await new CabinetPage(other, env.baseUrl).login(member, memberPw);
      expect(msg.startsWith('Доступ в Личный кабинет закрыт по заявлению вашей организации'), `"${msg}"`);
      expect(other.problems.length === 0, other.problems.join('; '));
    } finally {
      await other.close();
    }
  });
  await step('opened again by the administrator; the subscriber logs in', async () => {
    await page.click(`#org-body tr[data-msisdn="${member}"] button[data-do="open"]`);
    await page.waitForSelector(`#org-body tr[data-msisdn="${member}"] button[data-do="close"]`);
    const other = await watchedPage(browser, env.baseUrl, PHONE);
    try {
      expect(await new CabinetPage(other, env.baseUrl).login(member, memberPw) === 'cabinet', 'the subscriber logged in');
      expect(other.problems.length === 0, other.problems.join('; '));
    } finally {
      await other.close();
    }
  });
}

async function expiry({ cab, page, step, shoot, env, catalogue }) {
  const msisdn = '375292000004';
  await step(`after ${env.idleSeconds} s idle the next action shows the login with the reason`, async () => {
    const pw = await passwordBySms(env, msisdn);
    expect(await cab.login(msisdn, pw) === 'cabinet', 'logged in');
    await cab.tab('services');
    const free = catalogue.find((s) => s.price === 0) || catalogue[0];
    await page.click(`#svc-list button[data-service="${free.code}"]`);
    await page.waitForSelector('#req-list li[data-state="created"]');
    await new Promise((r) => setTimeout(r, (env.idleSeconds + 1.5) * 1000));
    await page.click('#tabs a[data-tab="history"]');
    await page.waitForFunction(() => !document.querySelector('#screen-login').hidden, { timeout: 10000 });
    const msg = await cab.notice();
    expect(msg.startsWith('Сеанс завершён') && msg.includes('Войдите снова'), `"${msg}"`);
    await shoot('session-expired');
    expect(await cab.login(msisdn, pw) === 'cabinet', 'logged in again');
    await cab.tab('services');
    expect(await page.$('#req-list li[data-state="annulled"]'), 'the unconfirmed request was annulled');
  });
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  for (const f of fs.readdirSync(OUT)) if (f.endsWith('.png') || f.endsWith('.txt') || f.endsWith('.html')) fs.rmSync(path.join(OUT, f));
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`skipped: no browser at ${CHROMIUM} (scripts/setup.sh --test installs Debian's chromium)`);
    return 77;
  }
  const env = await require(ENV).start({ ussdgw: opt('--ussdgw'), runForSeconds: LIMIT_MS / 1000 + 30 });
  running.env = env;
  let chrome;
  try {
    chrome = await launch();
    running.chrome = chrome;
  } catch (e) {
    await env.stop();
    throw e;
  }
  let stopped = null;
  try {
    const catalogue = ((await (await fetch(`${env.baseUrl}/api/v1/services`)).json()).items || []);
    console.log(`page ${env.baseUrl}; artefacts in ${OUT}; catalogue: ${catalogue.map((s) => `${s.code} ${s.price}`).join(', ')}`);
    const ctx = { browser: chrome.browser, env, catalogue };
    const run = (name, vp, fn) => scenario(ctx, name, vp, (a) => fn({ ...a, browser: chrome.browser }));
    await run('languages', PHONE, languages);
    await run('loop', PHONE, loop);
    await run('lockout', PHONE, lockout);
    await run('puk-login', PHONE, pukLogin);
    await run('registration', PHONE, registration);
    await run('prepaid', PHONE, prepaid);
    await run('administrator', DESKTOP, administrator);
    await run('expiry', PHONE, expiry);
  } finally {
    await chrome.close();
    stopped = await env.stop();
  }
  if (stopped && stopped.engineLog) fs.writeFileSync(path.join(OUT, 'engine.log'), stopped.engineLog);
  for (const pw of ['Sunny-Minsk-2026', 'Lake-Naroch-7', 'Brest-Fortress-1', 'Camera-Grodno-3']) SECRETS.add(pw);
  const leaked = [...SECRETS].filter((s) => new RegExp(`(^|[^0-9A-Za-z])${s.replace(/[^0-9A-Za-z]/g, '\\$&')}($|[^0-9A-Za-z])`).test(stopped.engineLog));
  if (stopped.engineExit === 0 && leaked.length === 0) {
    passed++;
    console.log(`ok   the engine stopped cleanly (exit 0) and its log holds none of the ${SECRETS.size} secrets used`);
  } else {
    failed++;
    console.log(`FAIL the engine exited ${stopped.engineExit}; secrets in its log: ${leaked.length} (see ${OUT}/engine.log)`);
  }
  const shots = fs.readdirSync(OUT).filter((f) => f.endsWith('.png') && !f.startsWith('FAILED')).length;
  console.log(`${shots} screenshots in ${OUT}`);
  console.log(`${passed} passed, ${failed} failed in ${((Date.now() - STARTED) / 1000).toFixed(1)} s`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

const running = { env: null, chrome: null };
const timer = setTimeout(async () => {
  console.log(`FAIL overall limit of ${LIMIT_MS / 1000} s reached`);
  if (running.env) running.env.kill();
  if (running.chrome) { // closed as usual (its helpers go with it), killed if that hangs
    await Promise.race([running.chrome.close(), new Promise((r) => setTimeout(r, 5000))]);
    running.chrome.kill();
  }
  process.exit(1);
}, LIMIT_MS);
main().then((rc) => {
  clearTimeout(timer);
  process.exit(rc);
}, (e) => {
  clearTimeout(timer);
  console.log(`FAIL ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
