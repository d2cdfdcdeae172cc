// For administrators and supervisors of a legal entity: their client's subscribers
// (GET /api/v1/org/subscribers, filtered by number prefix and access state, paged with
// `after`), with cabinet access opened or closed per subscriber (closing after a
// confirmation; recorded as closed by the organisation).
import { api } from './api.js';
import { t, phone } from './i18n.js';
import { $, el, clear, busy, confirmDialog, showNotice, formProblem, formClear } from './dom.js';
import { accessText } from './account.js';
import { PagedList, bindMore } from './paged.js';

let ctx = null;
let filter = { prefix: '', access: '' };
const subscribers = new PagedList((after) => api.orgSubscribers(filter, after), 'next_after');

function render() {
  const body = clear($('#org-body'));
  if (!subscribers.items.length) body.append(el('tr', {}, el('td', { colspan: '6', class: 'empty', text: t('org.empty') })));
  const cols = ['org.col.msisdn', 'org.col.role', 'org.col.tariff', 'org.col.service', 'org.col.access', 'org.col.action'].map((k) => t(k));
  for (const s of subscribers.items) {
    const open = s.access && s.access.open;
    const number = phone(s.msisdn);
    const button = el('button', {
      type: 'button', class: open ? 'danger small' : 'primary small', dataset: { do: open ? 'close' : 'open' },
      'aria-label': t(open ? 'org.close_aria' : 'org.open_aria', { msisdn: number }),
      text: t(open ? 'org.close' : 'org.open'), onclick: (e) => toggle(e.currentTarget, s),
    });
    const cells = [
      el('span', { class: 'nowrap', text: number }),
      t(`role.${s.role}`),
      s.tariff_plan,
      t(`service.${s.service_state}`),
      el('span', { class: open ? 'state state-open' : 'state state-closed', text: accessText(s.access) }),
      s.msisdn === ctx.msisdn() ? '' : button,
    ];
    body.append(el('tr', { dataset: { msisdn: s.msisdn } },
      ...cells.map((v, i) => el('td', { 'data-label': cols[i] }, v))));
  }
  $('#org-more').hidden = !subscribers.hasMore;
}

async function load() {
  await subscribers.first();
  render();
}

export async function showOrg() {
  try {
    await load();
  } catch (err) {
    ctx.fail(err, 'org');
  }
}

async function search(event) {
  event.preventDefault();
  const form = event.currentTarget;
  formClear(form);
  const prefix = $('#org-prefix').value.replace(/[\s+\-()]/g, '');
  if (prefix && !/^[0-9]{1,15}$/.test(prefix)) return formProblem(form, 'v.prefix', $('#org-prefix'));
  filter = { prefix, access: $('#org-access').value };
  return busy($('#org-search'), async () => {
    try {
      await load();
    } catch (err) {
      ctx.fail(err, 'org');
    }
  });
}

async function toggle(button, s) {
  const number = phone(s.msisdn);
  const open = s.access && s.access.open;
  if (open) {
    const ok = await confirmDialog({
      title: 'org.close_q', text: 'org.close_text', confirm: 'org.close', params: { msisdn: number },
    });
    if (!ok) return;
  }
  await busy(button, async () => {
    try {
      const after = open ? await api.orgClose(s.msisdn) : await api.orgOpen(s.msisdn);
      const i = subscribers.items.findIndex((x) => x.msisdn === s.msisdn);
      if (i >= 0) subscribers.items[i] = after;
      showNotice(open ? 'org.closed_notice' : 'org.opened_notice', { msisdn: number });
      render();
      const again = $(`#org-body tr[data-msisdn="${s.msisdn}"] button`);
      if (again) again.focus();
    } catch (err) {
      ctx.fail(err, 'org');
    }
  });
}

export function forget() {
  subscribers.clear();
  filter = { prefix: '', access: '' };
  $('#org-form').reset();
  clear($('#org-body'));
}

export function initOrg(context) {
  ctx = context;
  $('#org-form').addEventListener('submit', search);
  bindMore($('#org-more'), subscribers, render, (err) => ctx.fail(err, 'org'));
  return { render };
}
