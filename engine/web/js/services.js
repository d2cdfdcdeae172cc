// Service requests (SPEC 2.9): the catalogue with what is connected, a request to connect or
// disconnect one (created, then confirmed or cancelled in the same session), and the
// subscriber's requests with their state (created, pending until effective_by, applied,
// refused with the reason, annulled). A refusal at creation (balance too low for a prepaid
// subscriber, service suspended, a request already open) is shown beside the service.
import { api } from './api.js';
import { t, currentLang, money, dateTime, moment } from './i18n.js';
import { $, el, clear, busy, showNotice } from './dom.js';
import { errorText } from './errors.js';
import { PagedList, bindMore } from './paged.js';

let ctx = null;
let catalogue = [];
let connected = [];
const requests = new PagedList((before) => api.requests(before), 'next_before');
const refusals = new Map(); // service code -> error of the last refused request

function localName(name, fallback) {
  if (!name) return fallback;
  return name[currentLang()] || name.ru || fallback;
}

function serviceName(code) {
  const s = catalogue.find((x) => x.code === code) || connected.find((x) => x.code === code);
  return s ? localName(s.name, code) : code;
}

function requestLine(r) {
  return t(`req.line.${r.action}`, { name: serviceName(r.service) });
}

function renderCatalogue() {
  const list = clear($('#svc-list'));
  if (!catalogue.length) {
    list.append(el('li', { class: 'empty', text: t('svc.empty') }));
    return;
  }
  for (const s of catalogue) {
    const on = connected.find((c) => c.code === s.code);
    const name = localName(s.name, s.code);
    const action = on ? 'disconnect' : 'connect';
    const refusal = refusals.get(s.code);
    const msgId = `svc-msg-${s.code}`;
    list.append(el('li', { class: 'svc', dataset: { service: s.code } },
      el('div', { class: 'svc-main' },
        el('h3', { class: 'svc-name', text: name }),
        el('p', { class: 'svc-meta', text: s.price ? t('svc.price', { price: money(s.price, s.currency) }) : t('svc.free') }),
        el('p', { class: on ? 'svc-state state-open' : 'svc-state', text: on ? t('svc.connected_since', { when: dateTime(on.since) }) : t('svc.not_connected') })),
      el('button', {
        type: 'button', class: on ? 'secondary' : 'primary', dataset: { action, service: s.code },
        'aria-label': t(`svc.${action}_aria`, { name }), 'aria-describedby': refusal ? msgId : null,
        text: t(`svc.${action}`), onclick: (e) => createRequest(e.currentTarget, s.code, action),
      }),
      refusal ? el('p', { id: msgId, class: 'svc-refusal', role: 'alert', text: errorText(refusal, 'svc') }) : null));
  }
}

function renderRequests() {
  const list = clear($('#req-list'));
  if (!requests.items.length) list.append(el('li', { class: 'empty', text: t('svc.no_requests') }));
  for (const r of requests.items) {
    const what = requestLine(r);
    const details = [t('req.created_at', { when: dateTime(r.created_at) })];
    if (r.state === 'pending' && r.effective_by) details.push(t('req.effective_by', { when: dateTime(r.effective_by) }));
    if (r.finished_at && r.state !== 'pending' && r.state !== 'created') details.push(t('req.finished_at', { when: dateTime(r.finished_at) }));
    const item = el('li', { class: 'req', dataset: { id: r.id, state: r.state } },
      el('div', { class: 'req-main' },
        el('p', { class: 'req-what', text: what }),
        el('p', { class: `req-state state-${r.state}`, text: t(`req.state.${r.state}`) }),
        el('p', { class: 'req-meta', text: details.join(' ') }),
        (r.state === 'refused' || r.state === 'annulled') && r.refusal
          ? el('p', { class: 'req-meta', text: t('req.refusal', { reason: errorText({ code: r.refusal }, 'svc') }) })
          : null));
    if (r.state === 'created') {
      item.append(el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'primary', dataset: { do: 'confirm' }, 'aria-label': t('req.confirm_aria', { what }), text: t('req.confirm'), onclick: (e) => confirmRequest(e.currentTarget, r) }),
        el('button', { type: 'button', class: 'secondary', dataset: { do: 'cancel' }, 'aria-label': t('req.cancel_aria', { what }), text: t('req.cancel'), onclick: (e) => cancelRequest(e.currentTarget, r) })));
    }
    list.append(item);
  }
  $('#req-more').hidden = !requests.hasMore;
}

function render() {
  renderCatalogue();
  renderRequests();
}

function upsert(r) {
  const i = requests.items.findIndex((x) => x.id === r.id);
  if (i >= 0) requests.items[i] = r;
  else requests.items.unshift(r);
}

async function createRequest(button, code, action) {
  refusals.delete(code);
  await busy(button, async () => {
    try {
      const r = await api.createRequest(code, action);
      upsert(r);
      showNotice('req.created_notice');
      render();
      const confirm = $(`#req-list li[data-id="${r.id}"] button[data-do="confirm"]`);
      if (confirm) confirm.focus();
    } catch (err) {
      if (ctx.lost(err)) return;
      refusals.set(code, err);
      renderCatalogue();
      const again = $(`#svc-list button[data-service="${code}"]`);
      if (again) again.focus();
    }
  });
}

async function confirmRequest(button, r) {
  await busy(button, async () => {
    try {
      const done = await api.confirmRequest(r.id);
      upsert(done);
      showNotice('req.confirmed_notice', { when: moment(done.effective_by) });
      await reload();
    } catch (err) {
      if (!ctx.lost(err)) ctx.fail(err, 'svc');
      await reload();
    }
  });
}

async function cancelRequest(button, r) {
  await busy(button, async () => {
    try {
      upsert(await api.cancelRequest(r.id));
      showNotice('req.cancelled_notice');
      render();
    } catch (err) {
      if (!ctx.lost(err)) ctx.fail(err, 'request');
      await reload();
    }
  });
}

async function reload() {
  const [cat, mine] = await Promise.all([api.services(), api.myServices(), requests.first()]);
  catalogue = cat.items || [];
  connected = mine.items || [];
  render();
}

export async function showServices() {
  try {
    await reload();
  } catch (err) {
    ctx.fail(err);
  }
}

export function forget() {
  catalogue = [];
  connected = [];
  requests.clear();
  refusals.clear();
  clear($('#svc-list'));
  clear($('#req-list'));
}

export function initServices(context) {
  ctx = context;
  bindMore($('#req-more'), requests, renderRequests, (err) => ctx.fail(err));
  return { render };
}
