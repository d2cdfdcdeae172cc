// Small DOM helpers shared by the screens: building elements (text only, never HTML strings),
// form messages (a role="alert" region per form, aria-invalid on the field at fault), the busy
// state of a submit button, the page-wide notice (role="status"), and the confirmation dialog
// (a modal <dialog>: focus stays inside, Escape cancels, focus returns to the opener).
import { t } from './i18n.js';
import { errorText } from './errors.js';

export const $ = (sel, root = document) => root.querySelector(sel);

// el('p', {class: 'hint', text: '...'}, child, ...)
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

// ---- messages in a form ----
// A form's message is kept as {kind, key|error, context} so that it is re-rendered when the
// language changes.
const formMessages = new Map();

function renderFormMessage(form) {
  const box = $('.form-msg', form);
  const m = formMessages.get(form);
  if (!box) return;
  box.className = 'form-msg';
  if (!m) {
    box.textContent = '';
    return;
  }
  box.classList.add(m.kind === 'error' ? 'is-error' : 'is-info');
  box.textContent = m.error ? errorText(m.error, m.context) : t(m.key, m.params);
}

export function formError(form, error, context, field) {
  formMessages.set(form, { kind: 'error', error, context });
  renderFormMessage(form);
  markInvalid(form, field);
}

export function formProblem(form, key, field, params) {
  formMessages.set(form, { kind: 'error', key, params });
  renderFormMessage(form);
  markInvalid(form, field);
  if (field) field.focus();
}

export function formInfo(form, key, params) {
  formMessages.set(form, { kind: 'info', key, params });
  renderFormMessage(form);
}

export function formClear(form) {
  formMessages.delete(form);
  renderFormMessage(form);
  markInvalid(form, null);
}

function markInvalid(form, field) {
  const box = $('.form-msg', form);
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    const ids = (input.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== box.id);
    if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
    else input.removeAttribute('aria-describedby');
  }
  if (field && box) {
    field.setAttribute('aria-invalid', 'true');
    const ids = (field.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    if (!ids.includes(box.id)) ids.push(box.id);
    field.setAttribute('aria-describedby', ids.join(' '));
  }
}

export function rerenderFormMessages() {
  for (const form of formMessages.keys()) renderFormMessage(form);
}

// ---- the page-wide notice ----
let notice = null;

export function showNotice(key, params, kind) {
  notice = key ? { key, params, kind: kind || 'info' } : null;
  renderNotice();
}

export function showNoticeError(error, context) {
  notice = { error, context, kind: 'error' };
  renderNotice();
}

export function renderNotice() {
  const box = $('#notice');
  box.className = 'notice';
  if (!notice) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.hidden = false;
  box.classList.add(`is-${notice.kind}`);
  box.textContent = notice.error ? errorText(notice.error, notice.context) : t(notice.key, notice.params);
}

// ---- busy buttons ----
// Runs `work` with `button` marked busy (aria-disabled, a spinner; a second press is ignored).
// The button is not `disabled`, so that it keeps the keyboard focus.
export async function busy(button, work) {
  if (button.dataset.busy) return undefined;
  button.dataset.busy = '1';
  button.setAttribute('aria-disabled', 'true');
  button.classList.add('is-busy');
  try {
    return await work();
  } finally {
    delete button.dataset.busy;
    button.removeAttribute('aria-disabled');
    button.classList.remove('is-busy');
  }
}

// ---- confirmation ----
// Resolves true when the subscriber confirms; false on Cancel or Escape.
export function confirmDialog({ title, text, confirm, params }) {
  const dialog = $('#confirm');
  const opener = document.activeElement;
  dialog.dataset.title = title;
  dialog.dataset.text = text;
  dialog.dataset.confirm = confirm;
  dialog.dataset.params = JSON.stringify(params || {});
  renderConfirm();
  return new Promise((resolve) => {
    const done = () => {
      dialog.removeEventListener('close', done);
      resolve(dialog.returnValue === 'ok');
      if (opener && opener.isConnected) opener.focus();
    };
    dialog.returnValue = '';
    dialog.addEventListener('close', done);
    dialog.showModal();
    $('#confirm-no').focus();
  });
}

export function renderConfirm() {
  const dialog = $('#confirm');
  if (!dialog.dataset.title) return;
  const params = JSON.parse(dialog.dataset.params || '{}');
  $('#confirm-title').textContent = t(dialog.dataset.title, params);
  $('#confirm-text').textContent = t(dialog.dataset.text, params);
  $('#confirm-yes').textContent = t(dialog.dataset.confirm, params);
  $('#confirm-no').textContent = t('common.cancel');
}
