// The cabinet API as the page uses it (engine/api/openapi.yaml). The session itself is the
// HttpOnly `ussdgw_session` cookie, which the page never sees; the page keeps the session's
// CSRF token in memory (from the login answer, or from GET /api/v1/session after a reload)
// and sends it as X-CSRF-Token on every change. A refusal becomes an ApiError carrying the
// stable code and the error's extra fields; a failed fetch becomes the code "network".
const BASE = '/api/v1';
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, body) {
    const e = body && typeof body === 'object' ? body : {};
    super(e.message || e.code || `HTTP ${status}`);
    Object.assign(this, e);
    this.status = status;
    this.code = e.code || (status ? `http.${status}` : 'network');
  }
}

export function setCsrf(token) {
  csrfToken = token || null;
}

async function send(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(BASE + path, init);
  } catch (e) {
    throw new ApiError(0, { code: 'network' });
  }
  // The body is always read to its end (an unread one, even the empty body of a 204, is
  // cancelled, and the browser reports the request as aborted).
  let data = null;
  const text = await res.text().catch(() => '');
  if (text && (res.headers.get('Content-Type') || '').includes('json')) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!res.ok) throw new ApiError(res.status, data && data.error);
  return data;
}

// A change refused for a stale CSRF token (another tab logged in again, say) is retried once
// with the token of the current session.
async function change(method, path, body) {
  try {
    return await send(method, path, body);
  } catch (e) {
    if (e.code !== 'csrf.missing' && e.code !== 'csrf.invalid') throw e;
    const s = await send('GET', '/session');
    setCsrf(s.csrf_token);
    return send(method, path, body);
  }
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

export const api = {
  login: (msisdn, secret, byPuk) =>
    send('POST', '/login', byPuk ? { msisdn, puk1: secret } : { msisdn, password: secret }),
  requestCode: (msisdn, purpose) => send('POST', '/password/code', { msisdn, purpose }),
  resetPassword: (msisdn, code, password) => send('POST', '/password/reset', { msisdn, code, password }),
  session: () => send('GET', '/session'),
  logout: () => change('POST', '/logout'),
  me: () => send('GET', '/me'),
  audit: (before) => send('GET', `/me/audit${query({ limit: 20, before })}`),
  changePassword: (current, next) => change('POST', '/me/password',
    current === null ? { new_password: next } : { current_password: current, new_password: next }),
  closeAccess: () => change('POST', '/me/access/close'),
  services: () => send('GET', '/services'),
  myServices: () => send('GET', '/me/services'),
  requests: (before) => send('GET', `/me/service-requests${query({ limit: 20, before })}`),
  createRequest: (service, action) => change('POST', '/me/service-requests', { service, action }),
  confirmRequest: (id) => change('POST', `/me/service-requests/${enc(id)}/confirm`),
  cancelRequest: (id) => change('POST', `/me/service-requests/${enc(id)}/cancel`),
  stepUpCode: () => change('POST', '/me/step-up/code'),
  stepUp: (code) => change('POST', '/me/step-up', { code }),
  calls: (before) => send('GET', `/me/calls${query({ limit: 20, before })}`),
  orgSubscribers: (filter, after) =>
    send('GET', `/org/subscribers${query({ prefix: filter.prefix, access: filter.access, limit: 20, after })}`),
  orgClose: (msisdn) => change('POST', `/org/subscribers/${enc(msisdn)}/access/close`),
  orgOpen: (msisdn) => change('POST', `/org/subscribers/${enc(msisdn)}/access/open`),
};
