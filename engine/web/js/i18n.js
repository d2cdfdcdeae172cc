// The page's languages: Russian (the default, the operator's wording), English and
// Belarusian. Texts live in ../i18n/<lang>.js as flat dictionaries; a value is a string with
// {name} placeholders or, for counted things, an object of plural forms (one/few/many/other).
// Static texts are marked in index.html with data-i18n (text), data-i18n-placeholder,
// data-i18n-aria-label and data-i18n-title; dynamic texts call t(). Numbers, money and times
// are formatted here by hand (not with Intl), so that Belarusian reads the same in every
// browser whatever locale data it ships. The choice is remembered in localStorage.
import ru from '../i18n/ru.js';
import en from '../i18n/en.js';
import be from '../i18n/be.js';

const DICTS = { ru, en, be };
export const LANGS = ['ru', 'en', 'be'];
const STORE_KEY = 'ussdgw.lang';

let lang = 'ru';
const listeners = [];

export function currentLang() {
  return lang;
}

// The language remembered from an earlier visit, else Russian.
export function initialLang() {
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch (e) {
    // storage disabled: the default it is
  }
  return 'ru';
}

export function setLang(next) {
  if (!LANGS.includes(next)) return;
  lang = next;
  try {
    localStorage.setItem(STORE_KEY, next);
  } catch (e) {
    // not remembered, still applied
  }
  document.documentElement.lang = next;
  applyStatic(document);
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
  listeners.push(fn);
}

// Russian and Belarusian share the East Slavic plural rule.
function pluralForm(n, language) {
  const a = Math.abs(n);
  if (language === 'en') return a === 1 ? 'one' : 'other';
  if (!Number.isInteger(a)) return 'other';
  const d = a % 10;
  const h = a % 100;
  if (d === 1 && h !== 11) return 'one';
  if (d >= 2 && d <= 4 && (h < 12 || h > 14)) return 'few';
  return 'many';
}

function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (m, name) =>
    params && params[name] !== undefined && params[name] !== null ? String(params[name]) : m);
}

export function has(key) {
  return DICTS[lang][key] !== undefined || DICTS.ru[key] !== undefined;
}

// The text of `key` in the current language (Russian when a translation is missing; the key
// itself as a last resort, so that a gap shows up in tests rather than as an empty string).
// A plural entry takes its count from params.n.
export function t(key, params) {
  let v = DICTS[lang][key];
  if (v === undefined) v = DICTS.ru[key];
  if (v === undefined) return key;
  if (typeof v === 'object') {
    const n = params && typeof params.n === 'number' ? params.n : 0;
    v = v[pluralForm(n, lang)] ?? v.other ?? v.many;
  }
  return fill(v, params);
}

export function applyStatic(root) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of root.querySelectorAll('[data-i18n-aria-label]')) {
    node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
  }
  for (const node of root.querySelectorAll('[data-i18n-title]')) node.title = t(node.dataset.i18nTitle);
  if (root === document) document.title = t('app.title');
}

// ---- formatting ----
const NBSP = '\u00a0';

function groupDigits(intPart, sep) {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

// Minor units (kopecks) as "1 234,50 BYN" (ru, be) or "1,234.50 BYN" (en).
export function money(minor, currency) {
  const cur = currency || 'BYN';
  if (typeof minor !== 'number' || !Number.isFinite(minor)) return '—';
  const neg = minor < 0;
  const abs = Math.abs(Math.round(minor));
  const int = String(Math.floor(abs / 100));
  const frac = String(abs % 100).padStart(2, '0');
  const text = lang === 'en'
    ? `${groupDigits(int, ',')}.${frac}`
    : `${groupDigits(int, NBSP)},${frac}`;
  return `${neg ? '\u2212' : ''}${text}${NBSP}${cur}`;
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n) => String(n).padStart(2, '0');

function parseTime(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function date(iso) {
  const d = parseTime(iso);
  if (!d) return '—';
  if (lang === 'en') return `${d.getDate()} ${EN_MONTHS[d.getMonth()]} ${d.getFullYear()}`;
  return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()}`;
}

export function clock(iso) {
  const d = parseTime(iso);
  return d ? `${pad(d.getHours())}:${pad(d.getMinutes())}` : '—';
}

export function dateTime(iso) {
  const d = parseTime(iso);
  return d ? `${date(iso)}, ${clock(iso)}` : '—';
}

// A moment soon: only the time when it is today, else the date and the time.
export function moment(iso) {
  const d = parseTime(iso);
  if (!d) return '—';
  return d.toDateString() === new Date().toDateString() ? clock(iso) : dateTime(iso);
}

// A wait in seconds as "45 с" / "3 мин" (rounded up to whole minutes past a minute).
export function wait(seconds) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 0));
  if (s < 60) return t('unit.seconds', { n: s });
  return t('unit.minutes', { n: Math.ceil(s / 60) });
}

export function duration(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

// The subscriber's number as people read it: +375 29 123-45-67 for Belarus, else +digits
// (no-break spaces and hyphens: a number never wraps).
export function phone(msisdn) {
  const m = /^375(\d{2})(\d{3})(\d{2})(\d{2})$/.exec(msisdn || '');
  const NBHY = '\u2011';
  return m ? `+375${NBSP}${m[1]}${NBSP}${m[2]}${NBHY}${m[3]}${NBHY}${m[4]}` : `+${msisdn || ''}`;
}
