// The subscriber's own history of access and password changes (GET /api/v1/me/audit,
// newest first, paged with `before`): what, who (you, your organisation's administrator or
// supervisor, the operator's staff), through which channel, and when (SPEC 2.10).
import { api } from './api.js';
import { t, has, dateTime, phone } from './i18n.js';
import { $, el, clear } from './dom.js';
import { PagedList, bindMore } from './paged.js';

let ctx = null;
const entries = new PagedList((before) => api.audit(before), 'next_before');

function actionText(action) {
  return has(`audit.${action}`) ? t(`audit.${action}`) : t('audit.other', { action });
}

function actorText(actor) {
  if (!actor) return '—';
  if (actor.kind === 'subscriber' && actor.id === ctx.msisdn()) return t('actor.self');
  // The engine's scheduler applies confirmed service requests (recorded as the operator's).
  if (actor.kind === 'operator_staff' && actor.id === 'scheduler') return t('actor.scheduler');
  const id = /^[0-9]{8,15}$/.test(actor.id || '') ? phone(actor.id) : actor.id;
  return t(`actor.${actor.kind}`, { id });
}

function render() {
  const body = clear($('#hist-body'));
  if (!entries.items.length) body.append(el('tr', {}, el('td', { colspan: '4', class: 'empty', text: t('hist.empty') })));
  const cols = ['hist.col.time', 'hist.col.what', 'hist.col.who', 'hist.col.channel'].map((k) => t(k));
  for (const e of entries.items) {
    const cells = [dateTime(e.at), actionText(e.action), actorText(e.actor),
      has(`channel.${e.channel}`) ? t(`channel.${e.channel}`) : e.channel];
    body.append(el('tr', { dataset: { action: e.action } }, ...cells.map((v, i) => el('td', { 'data-label': cols[i], text: v }))));
  }
  $('#hist-more').hidden = !entries.hasMore;
}

export async function showHistory() {
  try {
    await entries.first();
    render();
  } catch (err) {
    ctx.fail(err);
  }
}

export function forget() {
  entries.clear();
  clear($('#hist-body'));
}

export function initHistory(context) {
  ctx = context;
  bindMore($('#hist-more'), entries, render, (err) => ctx.fail(err));
  return { render };
}
