// Call details behind the extra authentication step: GET /api/v1/me/calls answers
// step_up.required until the session is elevated with a one-time code sent by SMS
// (POST /me/step-up/code, then /me/step-up), and step_up.expired once the elevation ran out
// (the code form again, saying why); the page shows the records, paged.
import { api } from './api.js';
import { t, money, dateTime, moment, duration, wait, phone } from './i18n.js';
import { $, el, clear, busy, formError, formProblem, formInfo, formClear } from './dom.js';
import { PagedList, bindMore } from './paged.js';

let ctx = null;
const calls = new PagedList((before) => api.calls(before), 'next_before');
let elevated = false; // false: the code form is shown
let elevatedUntil = null;

const STEP_UP = ['step_up.required', 'step_up.expired'];

// Back to the code form; an elevation that ran out says so there.
function needStepUp(err) {
  calls.clear();
  elevated = false;
  formClear($('#stepup-form'));
  if (err.code === 'step_up.expired') formError($('#stepup-form'), err);
}

function render() {
  $('#stepup').hidden = elevated;
  $('#calls-view').hidden = !elevated;
  if (!elevated) return;
  $('#calls-elevated').textContent = elevatedUntil ? t('calls.elevated', { when: moment(elevatedUntil) }) : '';
  const body = clear($('#calls-body'));
  if (!calls.items.length) {
    body.append(el('tr', {}, el('td', { colspan: '5', class: 'empty', text: t('calls.empty') })));
  }
  const cols = ['calls.col.time', 'calls.col.kind', 'calls.col.party', 'calls.col.duration', 'calls.col.cost'].map((k) => t(k));
  for (const c of calls.items) {
    const cells = [
      dateTime(c.started_at),
      t(`dir.${c.direction}`),
      /^[0-9]{8,15}$/.test(c.other_party || '') ? phone(c.other_party) : (c.other_party || '—'),
      c.direction.startsWith('sms') ? '—' : duration(c.duration_seconds), // data: the session's length
      money(c.cost),
    ];
    body.append(el('tr', {}, ...cells.map((v, i) => el('td', { 'data-label': cols[i], text: v }))));
  }
  $('#calls-more').hidden = !calls.hasMore;
}

async function load() {
  try {
    await calls.first();
    elevated = true;
  } catch (err) {
    if (!STEP_UP.includes(err.code)) throw err;
    needStepUp(err);
  }
  render();
}

export async function showCalls() {
  try {
    const s = await api.session();
    elevatedUntil = s.elevated_until || null;
    await load();
  } catch (err) {
    ctx.fail(err);
  }
}

async function sendCode() {
  const form = $('#stepup-form');
  formClear(form);
  await busy($('#stepup-send'), async () => {
    try {
      const sent = await api.stepUpCode();
      form.dataset.sent = '1';
      formInfo(form, 'code.sent', { msisdn: phone(ctx.msisdn()), wait: wait(sent.expires_in_seconds) });
      $('#stepup-code').focus();
    } catch (err) {
      if (!ctx.lost(err)) formError(form, err);
    }
  });
}

async function verify(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const code = $('#stepup-code');
  if (!form.dataset.sent && !code.value) return sendCode();
  formClear(form);
  if (!/^[0-9]{6}$/.test(code.value.trim())) return formProblem(form, 'v.code', code);
  return busy($('#stepup-submit'), async () => {
    try {
      const s = await api.stepUp(code.value.trim());
      elevatedUntil = s.elevated_until || null;
      code.value = '';
      delete form.dataset.sent;
      await load();
      $('#calls-title').focus();
    } catch (err) {
      if (ctx.lost(err)) return;
      formError(form, err, undefined, err.code && err.code.startsWith('otp.') ? code : null);
      if (err.code && err.code.startsWith('otp.')) code.focus();
    }
  });
}

// The elevation ran out while paging: back to the code form.
function moreFailed(err) {
  if (!STEP_UP.includes(err.code)) return ctx.fail(err);
  needStepUp(err);
  return render();
}

export function forget() {
  calls.clear();
  elevated = false;
  elevatedUntil = null;
  clear($('#calls-body'));
  const form = $('#stepup-form');
  form.reset();
  delete form.dataset.sent;
  formClear(form);
}

export function initCalls(context) {
  ctx = context;
  $('#stepup-form').addEventListener('submit', verify);
  $('#stepup-send').addEventListener('click', sendCode);
  bindMore($('#calls-more'), calls, render, moreFailed);
  return { render };
}
