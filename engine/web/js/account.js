// The account (GET /api/v1/me): tariff plan, balance, billing, service state, cabinet
// access and who closed it; closing access (after a confirmation: every session ends, and
// only *141*3*6# with the PUK1 reopens it); and the password change (every session ends).
import { api } from './api.js';
import { t, money, dateTime, date, phone } from './i18n.js';
import { $, el, clear, busy, confirmDialog, formError, formProblem, formClear } from './dom.js';

let ctx = null;
let me = null;

export function accessText(access) {
  if (!access || access.open) return t('access.open');
  const state = access.closed_by ? t(`access.by.${access.closed_by}`) : t('access.closed');
  return access.closed_at ? t('access.since', { state, when: dateTime(access.closed_at) }) : state;
}

function row(labelKey, value, name) {
  return [el('dt', { text: t(labelKey) }), el('dd', { dataset: { field: name } }, value)];
}

function render() {
  const list = clear($('#account-list'));
  if (!me) return;
  const closed = me.access && !me.access.open;
  const balance = el('span', { class: me.balance < 0 ? 'amount is-negative' : 'amount', text: money(me.balance, me.currency) });
  const rows = [
    row('account.msisdn', phone(me.msisdn), 'msisdn'),
    row('account.tariff', me.tariff_plan, 'tariff'),
    row('account.balance', balance, 'balance'),
    row('account.payment', t(`payment.${me.payment}`), 'payment'),
    row('account.service', el('span', { class: `state state-${me.service_state}`, text: t(`service.${me.service_state}`) }), 'service'),
    row('account.access', el('span', { class: closed ? 'state state-closed' : 'state state-open', text: accessText(me.access) }), 'access'),
    row('account.client', t(`client.${me.client.kind}`, { id: me.client.id }), 'client'),
    row('account.role', t(`role.${me.role}`), 'role'),
    row('account.puk_login', t(me.puk_login_allowed ? 'account.puk_allowed' : 'account.puk_not_allowed'), 'puk'),
    row('account.password', me.has_password
      ? t('account.password_set', { when: me.password_set_at ? date(me.password_set_at) : '' }).trim()
      : t('account.password_none'), 'password'),
  ];
  for (const [dt, dd] of rows) list.append(el('div', { class: 'row' }, dt, dd));
  $('#close-access').hidden = closed;
  $('#pw-username').value = me.msisdn;
  // A subscriber without a password (logged in with the PUK1) sets the first one without a
  // current one.
  $('#pw-no-password').hidden = me.has_password !== false;
  $('#pw-current-field').hidden = me.has_password === false;
}

export async function showAccount() {
  try {
    me = await api.me();
    ctx.account(me);
    render();
  } catch (err) {
    ctx.fail(err);
  }
}

async function closeAccess() {
  const ok = await confirmDialog({
    title: 'account.close_q', text: 'account.close_text', confirm: 'account.close_confirm',
  });
  if (!ok) return;
  await busy($('#close-access'), async () => {
    try {
      await api.closeAccess();
      ctx.ended('notice.access_closed');
    } catch (err) {
      ctx.fail(err);
    }
  });
}

async function changePassword(event) {
  event.preventDefault();
  const form = event.currentTarget;
  formClear(form);
  const current = $('#pw-current');
  const next = $('#pw-new');
  const again = $('#pw-repeat');
  const first = $('#pw-current-field').hidden;
  if (!first && !current.value) return formProblem(form, 'v.password', current);
  if (!next.value) return formProblem(form, 'v.password', next);
  if (next.value !== again.value) return formProblem(form, 'v.mismatch', again);
  return busy($('#pw-submit'), async () => {
    try {
      await api.changePassword(first ? null : current.value, next.value);
      form.reset();
      ctx.ended('notice.password_changed');
    } catch (err) {
      if (ctx.lost(err)) return;
      const field = err.code === 'password.wrong' ? current
        : err.code && err.code.startsWith('password.') && err.code !== 'password.locked' ? next : null;
      formError(form, err, 'change', field);
      if (field) field.focus();
    }
  });
}

export function forget() {
  me = null;
  clear($('#account-list'));
  $('#pw-form').reset();
  formClear($('#pw-form'));
}

export function initAccount(context) {
  ctx = context;
  $('#close-access').addEventListener('click', closeAccess);
  $('#pw-form').addEventListener('submit', changePassword);
  return { render };
}
