// Every refusal of the API as a sentence in the page's language. The stable code picks the
// text (err.<code>, or err.<context>.<code> where one form needs its own wording, e.g. a
// wrong *current* password when changing it); the extra fields of the error (tries_left,
// locked_until, retry_after, min_length, price and balance, state, field) are woven in.
// A code the dictionaries do not know still reads as a sentence, with the code in it.
import { t, has, money, moment, wait } from './i18n.js';

function fieldName(field) {
  if (!field) return '?';
  const key = `field.${field}`;
  return has(key) ? t(key) : field;
}

// The parameters every error text may use, built from the error's extra fields.
function params(err) {
  const p = { code: err.code, status: err.status };
  p.tries = typeof err.tries_left === 'number' ? t('tries.left', { n: err.tries_left }) : '';
  p.until = err.locked_until ? moment(err.locked_until) : '…';
  p.retry = typeof err.retry_after === 'number' && err.retry_after > 0
    ? t('retry.in', { wait: wait(err.retry_after) })
    : t('retry.later');
  p.chars = t('unit.chars', { n: typeof err.min_length === 'number' ? err.min_length : 5 });
  p.field = fieldName(err.field);
  if (err.state) p.state = t(`req.state.${err.state}`);
  if (typeof err.price === 'number') p.price = money(err.price);
  if (typeof err.balance === 'number') p.balance = money(err.balance);
  return p;
}

// `err` is {status, code, ...extra} (see api.js); `context` a form's name or undefined.
export function errorText(err, context) {
  const code = err.code || '';
  const p = params(err);
  let key;
  if (context && has(`err.${context}.${code}`)) key = `err.${context}.${code}`;
  else if (has(`err.${code}`)) key = `err.${code}`;
  if (code === 'balance.insufficient' && (p.price === undefined || p.balance === undefined)) {
    key = 'err.balance.insufficient_plain';
  }
  if (code === 'request.wrong_state' && p.state === undefined) p.state = err.state || '?';
  if (!key) {
    if (code === 'network') return t('err.network');
    if (!code || code.startsWith('http.')) return t('err.http', p);
    return t('err.unknown', p);
  }
  return t(key, p).replace(/\s+$/, '');
}

// The codes after which the subscriber must log in again (the session is gone).
export function isSessionLost(err) {
  return err.code === 'session.expired' || err.code === 'auth.required';
}
