// The web cabinet page ("Личный кабинет"), served by the engine from engine/web/ as plain
// files: no build step, nothing loaded from elsewhere, and no inline script or style, so that
// it runs under `Content-Security-Policy: default-src 'self'`. This module wires the screens
// together: the hash router (#/login, #/register, #/recover for everyone; #/account,
// #/services, #/calls, #/history, #/password and, for administrators and supervisors,
// #/org inside a session), the session (opened by a login or a password reset, recovered
// after a reload with GET /api/v1/session, lost on an expiry: the next action then shows
// the login with the reason), and the language switch. The other modules are the screens
// (auth, account, services, calls, history, org), the API client (api), the texts (i18n,
// errors) and DOM helpers (dom).
import { api, setCsrf } from './api.js';
import { t, initialLang, setLang, onLangChange, phone, LANGS, currentLang } from './i18n.js';
import { $, showNotice, showNoticeError, renderNotice, rerenderFormMessages, renderConfirm } from './dom.js';
import { isSessionLost } from './errors.js';
import { initAuth, showCodeScreen, renderCodeScreen, resetLogin } from './auth.js';
import * as account from './account.js';
import * as services from './services.js';
import * as calls from './calls.js';
import * as audit from './history.js';
import * as org from './org.js';

const SESSION_HINT = 'ussdgw.session'; // "a session may be open": worth asking GET /session
const PUBLIC = ['login', 'register', 'recover'];
const PANELS = {
  account: account.showAccount,
  services: services.showServices,
  calls: calls.showCalls,
  history: audit.showHistory,
  org: org.showOrg,
  password: async () => {},
};
const MANAGERS = ['administrator', 'supervisor'];

let session = null; // {msisdn, role, idle_timeout_seconds, expires_at}
let current = null;
let keepNotice = false;

function hint(on) {
  try {
    if (on) localStorage.setItem(SESSION_HINT, '1');
    else localStorage.removeItem(SESSION_HINT);
  } catch (e) {
    // without storage, a reload simply shows the login
  }
}

function hinted() {
  try {
    return localStorage.getItem(SESSION_HINT) === '1';
  } catch (e) {
    return false;
  }
}

// ---- the session ----
function begin(opened) {
  session = { msisdn: opened.msisdn, role: opened.role, idle_timeout_seconds: opened.idle_timeout_seconds, expires_at: opened.expires_at };
  setCsrf(opened.csrf_token);
  hint(true);
  renderWho();
}

function forgetAll() {
  session = null;
  setCsrf(null);
  hint(false);
  for (const m of [account, services, calls, audit, org]) m.forget();
  resetLogin();
}

// The session is over (logout, access closed, password changed, or it expired).
function end(noticeKey, error) {
  forgetAll();
  if (error) showNoticeError(error);
  else showNotice(noticeKey);
  go('login', true);
}

// An error from any screen: a lost session brings the login back with the reason.
function lost(err) {
  if (!session || !isSessionLost(err)) return false;
  end(null, err);
  return true;
}

function fail(err, context) {
  if (lost(err)) return;
  showNoticeError(err, context);
}

const ctx = {
  fail,
  lost,
  ended: (key) => end(key),
  msisdn: () => (session ? session.msisdn : ''),
  account: (me) => {
    if (!session) return;
    session.role = me.role;
    renderWho();
  },
};

function renderWho() {
  if (!session) return;
  $('#cab-msisdn').textContent = phone(session.msisdn);
  $('#cab-role').textContent = t(`role.${session.role}`);
  $('#screen-cabinet').setAttribute('aria-label', t('cabinet.label', { msisdn: phone(session.msisdn) }));
  $('#tab-org').hidden = !MANAGERS.includes(session.role);
}

// ---- routing ----
function go(name, withNotice) {
  if (withNotice) keepNotice = true;
  const hash = `#/${name}`;
  if (location.hash === hash) route();
  else location.hash = hash;
}

function screenFor(name) {
  if (PUBLIC.includes(name)) return session ? 'account' : name;
  if (name in PANELS) {
    if (!session) return 'login';
    if (name === 'org' && !MANAGERS.includes(session.role)) return 'account';
    return name;
  }
  return session ? 'account' : 'login';
}

async function route() {
  const asked = location.hash.replace(/^#\/?/, '');
  const name = screenFor(asked);
  if (name !== asked) {
    history.replaceState(null, '', `#/${name}`);
  }
  const previous = current;
  current = name;
  const inCabinet = name in PANELS;
  $('#screen-login').hidden = name !== 'login';
  $('#screen-code').hidden = name !== 'register' && name !== 'recover';
  $('#screen-cabinet').hidden = !inCabinet;
  $('#main').classList.toggle('is-public', !inCabinet);
  if (name === 'register' || name === 'recover') showCodeScreen(name);
  // A notice belongs to the screen it was shown on, unless it came with this very move
  // (a login, a logout, an expiry).
  if (previous !== null && previous !== name && !keepNotice) showNotice(null);
  keepNotice = false;
  if (inCabinet) {
    for (const a of document.querySelectorAll('#tabs a')) {
      if (a.dataset.tab === name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    for (const p of document.querySelectorAll('.panel')) p.hidden = p.id !== `panel-${name}`;
    await PANELS[name]();
  }
  if (previous !== null && previous !== name) focusHeading(name);
}

function focusHeading(name) {
  const id = name in PANELS ? `#panel-${name} h1` : name === 'login' ? '#login-title' : '#code-title';
  const h = $(id);
  if (h && document.activeElement !== $('#notice')) h.focus({ preventScroll: false });
}

// ---- events ----
async function logout() {
  try {
    await api.logout();
  } catch (err) {
    // already over on the server: the page forgets it all the same
  }
  end('notice.logged_out');
}

function loggedIn(opened, noticeKey) {
  begin(opened);
  showNotice(noticeKey);
  go('account', true);
}

function rerender() {
  renderWho();
  renderNotice();
  rerenderFormMessages();
  renderConfirm();
  renderCodeScreen();
  for (const b of document.querySelectorAll('#lang button')) b.setAttribute('aria-pressed', String(b.dataset.lang === currentLang()));
  for (const panel of panels) panel.render();
}

let panels = [];

async function boot() {
  setLang(initialLang());
  initAuth(loggedIn);
  panels = [
    account.initAccount(ctx), services.initServices(ctx), calls.initCalls(ctx),
    audit.initHistory(ctx), org.initOrg(ctx),
  ];
  onLangChange(rerender);
  for (const b of document.querySelectorAll('#lang button')) {
    if (LANGS.includes(b.dataset.lang)) b.addEventListener('click', () => setLang(b.dataset.lang));
  }
  $('#logout').addEventListener('click', logout);
  // The tab already shown is loaded again when chosen (no hashchange for the same hash).
  for (const a of document.querySelectorAll('#tabs a')) {
    a.addEventListener('click', () => {
      if (a.getAttribute('href') === location.hash) route();
    });
  }
  $('#skip').addEventListener('click', (e) => {
    e.preventDefault();
    $('#main').focus();
  });
  rerender();
  if (hinted()) {
    try {
      begin(await api.session());
    } catch (err) {
      forgetAll();
      if (err.code === 'session.expired') showNoticeError(err);
    }
  }
  window.addEventListener('hashchange', route);
  await route();
  document.body.classList.add('is-ready');
}

boot();
