// The public screens: login (the number with the password, or the PUK1 where allowed),
// registration and password recovery with a one-time code sent by SMS. After a refusal the
// login form says what applies (a password from *141*0#, PUK1 instead of a password,
// registration) and offers the matching button.
import { api } from './api.js';
import { t, wait, phone } from './i18n.js';
import { $, el, clear, busy, formError, formProblem, formInfo, formClear } from './dom.js';

const MSISDN_RE = /^[1-9][0-9]{7,14}$/;

// "+375 (29) 123-45-67" typed by a person becomes 375291234567.
export function normaliseMsisdn(text) {
  return String(text || '').replace(/[\s()+\-.]/g, '');
}

function checkMsisdn(form, input) {
  const msisdn = normaliseMsisdn(input.value);
  if (!MSISDN_RE.test(msisdn)) {
    formProblem(form, 'v.msisdn', input);
    return null;
  }
  return msisdn;
}

// ---- login ----
let onLoggedIn = () => {};

function loginMethod() {
  return $('#login-form input[name="method"]:checked').value;
}

function showMethod() {
  const puk = loginMethod() === 'puk';
  $('#login-password-field').hidden = puk;
  $('#login-puk-field').hidden = !puk;
}

function setMethod(method) {
  $(`#login-form input[name="method"][value="${method}"]`).checked = true;
  showMethod();
}

// What the page suggests after a refusal, as buttons below the message. A wrong password is
// also what a number without a password hears (the API does not tell which numbers exist or
// have a password), so it comes with the ways to get one: *141*0#, or a code by SMS.
function suggest(code, byPuk) {
  const box = clear($('#login-suggest'));
  const buttons = el('div', { class: 'actions' });
  const add = (key, action) => buttons.append(el('button', { type: 'button', class: 'secondary', dataset: { i18n: key }, text: t(key), onclick: action }));
  if (code === 'puk.login_not_allowed') {
    add('login.suggest_password', () => {
      setMethod('password');
      $('#login-password').focus();
    });
  } else if (code === 'password.wrong' && !byPuk) {
    box.append(el('p', { class: 'hint', dataset: { i18n: 'login.wrong_hint' }, text: t('login.wrong_hint') }));
    add('login.suggest_recover', () => {
      location.hash = '#/recover';
    });
    add('login.suggest_register', () => {
      location.hash = '#/register';
    });
  }
  if (buttons.childElementCount) box.append(buttons);
  box.hidden = box.childElementCount === 0;
}

async function submitLogin(event) {
  event.preventDefault();
  const form = event.currentTarget;
  formClear(form);
  suggest(null);
  const msisdnInput = $('#login-msisdn');
  const msisdn = checkMsisdn(form, msisdnInput);
  if (!msisdn) return;
  const byPuk = loginMethod() === 'puk';
  const secretInput = byPuk ? $('#login-puk') : $('#login-password');
  const secret = secretInput.value;
  if (byPuk && !/^[0-9]{8}$/.test(secret)) return formProblem(form, 'v.puk', secretInput);
  if (!byPuk && !secret) return formProblem(form, 'v.password', secretInput);
  await busy($('#login-submit'), async () => {
    try {
      const opened = await api.login(msisdn, secret, byPuk);
      secretInput.value = '';
      onLoggedIn(opened, byPuk ? 'notice.welcome_puk' : 'notice.welcome');
    } catch (err) {
      const context = byPuk && err.code === 'password.wrong' ? 'puk' : undefined;
      const field = err.code === 'password.wrong' || err.code === 'puk.wrong' ? secretInput : null;
      formError(form, err, context, field);
      suggest(err.code, byPuk);
      if (field) {
        field.select();
        field.focus();
      }
    }
  });
}

// ---- registration and recovery ----
let codeMode = 'register';
let resendTimer = null;
let resendAt = 0;    // when a new code may be asked for resendFor
let resendFor = '';

function renderResend() {
  const button = $('#code-send');
  const status = $('#code-resend');
  const left = Math.ceil((resendAt - Date.now()) / 1000);
  if (left > 0) {
    button.setAttribute('aria-disabled', 'true');
    status.textContent = t('code.resend_in', { wait: wait(left) });
  } else {
    button.removeAttribute('aria-disabled');
    status.textContent = '';
    clearInterval(resendTimer);
    resendTimer = null;
  }
}

function waitResend(msisdn, seconds) {
  resendFor = msisdn;
  resendAt = Date.now() + (seconds || 0) * 1000;
  clearInterval(resendTimer);
  resendTimer = setInterval(renderResend, 1000);
  renderResend();
}

async function sendCode() {
  const form = $('#code-form');
  const button = $('#code-send');
  formClear(form);
  const msisdn = checkMsisdn(form, $('#code-msisdn'));
  if (!msisdn) return;
  // The wait between codes is the server's, per number: another number need not wait.
  if (msisdn === resendFor && resendAt > Date.now()) return;
  await busy(button, async () => {
    try {
      const sent = await api.requestCode(msisdn, codeMode === 'register' ? 'register' : 'recover');
      form.dataset.codeFor = msisdn;
      formInfo(form, 'code.sent', { msisdn: phone(msisdn), wait: wait(sent.expires_in_seconds) });
      button.dataset.i18n = 'code.resend';
      button.textContent = t('code.resend');
      waitResend(msisdn, sent.resend_after_seconds);
      $('#code-code').focus();
    } catch (err) {
      formError(form, err, undefined, $('#code-msisdn'));
      if (typeof err.retry_after === 'number') waitResend(msisdn, err.retry_after);
    }
  });
  if (resendTimer) renderResend(); // busy() has just cleared aria-disabled
}

async function submitCode(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const code = $('#code-code');
  // Enter in the number field before any code was sent means "send the code".
  if (!form.dataset.codeFor && !code.value) return sendCode();
  formClear(form);
  const msisdn = checkMsisdn(form, $('#code-msisdn'));
  if (!msisdn) return undefined;
  if (!/^[0-9]{6}$/.test(code.value.trim())) return formProblem(form, 'v.code', code);
  const pw = $('#code-password');
  const again = $('#code-repeat');
  if (!pw.value) return formProblem(form, 'v.password', pw);
  if (pw.value !== again.value) return formProblem(form, 'v.mismatch', again);
  return busy($('#code-submit'), async () => {
    try {
      const opened = await api.resetPassword(msisdn, code.value.trim(), pw.value);
      pw.value = '';
      again.value = '';
      code.value = '';
      onLoggedIn(opened, 'notice.registered');
    } catch (err) {
      const byField = {
        'otp.wrong': code, 'otp.expired': code, 'password.too_short': pw, 'password.too_long': pw,
        'password.too_weak': pw,
      };
      formError(form, err, 'reset', byField[err.code] || null);
      if (byField[err.code]) byField[err.code].focus();
    }
  });
}

export function showCodeScreen(mode) {
  const form = $('#code-form');
  if (codeMode !== mode) {
    form.reset();
    delete form.dataset.codeFor;
    formClear(form);
    resendAt = 0;
    renderResend();
  }
  codeMode = mode;
  const send = $('#code-send');
  if (!form.dataset.codeFor) {
    send.dataset.i18n = 'code.send';
    send.textContent = t('code.send');
  }
  renderCodeScreen();
  const typed = $('#login-msisdn').value;
  if (!$('#code-msisdn').value && typed) $('#code-msisdn').value = typed;
}

export function renderCodeScreen() {
  const reg = codeMode === 'register';
  $('#code-title').textContent = t(reg ? 'register.title' : 'recover.title');
  $('#code-intro').textContent = t(reg ? 'register.intro' : 'recover.intro');
  $('#code-password-label').textContent = t(reg ? 'register.password' : 'pw.new');
  const submit = $('#code-submit');
  submit.dataset.i18n = reg ? 'register.submit' : 'recover.submit';
  submit.textContent = t(submit.dataset.i18n);
  if (resendTimer) renderResend();
}

export function initAuth(loggedIn) {
  onLoggedIn = loggedIn;
  $('#login-form').addEventListener('submit', submitLogin);
  for (const radio of document.querySelectorAll('#login-form input[name="method"]')) {
    radio.addEventListener('change', showMethod);
  }
  showMethod();
  $('#code-form').addEventListener('submit', submitCode);
  $('#code-send').addEventListener('click', sendCode);
}

// The login screen is shown again (after a logout or an expiry): secrets are forgotten.
export function resetLogin() {
  $('#login-password').value = '';
  $('#login-puk').value = '';
  formClear($('#login-form'));
  suggest(null);
}
