// The page's texts (engine/web/i18n/*.js) against each other and against the API contract:
// the three languages have the same keys and the same {placeholders} in each text, every error
// code the contract names (engine/api/openapi.yaml) and every audit action it lists has a
// sentence, and every data-i18n* key in index.html exists. Plain node, no browser.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const web = path.join(root, 'engine', 'web');
const dicts = {};
for (const lang of ['ru', 'en', 'be']) {
  dicts[lang] = (await import(path.join(web, 'i18n', `${lang}.js`))).default;
}

let passed = 0;
let failed = 0;
function check(cond, what) {
  if (cond) passed++;
  else failed++;
  if (!cond) console.log(`FAIL ${what}`);
}

const placeholders = (v) => {
  const texts = typeof v === 'object' ? Object.values(v) : [v];
  return [...new Set(texts.flatMap((x) => [...x.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort().join(',');
};

const ruKeys = Object.keys(dicts.ru);
for (const lang of ['en', 'be']) {
  const keys = Object.keys(dicts[lang]);
  const missing = ruKeys.filter((k) => !(k in dicts[lang]));
  const extra = keys.filter((k) => !(k in dicts.ru));
  check(missing.length === 0, `${lang}: keys missing: ${missing.join(' ')}`);
  check(extra.length === 0, `${lang}: keys not in ru: ${extra.join(' ')}`);
  const differ = ruKeys.filter((k) => k in dicts[lang] && placeholders(dicts.ru[k]) !== placeholders(dicts[lang][k]));
  check(differ.length === 0, `${lang}: placeholders differ from ru in ${differ.join(' ')}`);
  const plural = ruKeys.filter((k) => typeof dicts.ru[k] === 'object' &&
    !(typeof dicts[lang][k] === 'object' && dicts[lang][k].other && (lang === 'en' ? dicts[lang][k].one : dicts[lang][k].few && dicts[lang][k].many)));
  check(plural.length === 0, `${lang}: plural forms incomplete in ${plural.join(' ')}`);
}
const empty = Object.entries(dicts).flatMap(([l, d]) => Object.entries(d).filter(([, v]) => v === '').map(([k]) => `${l}:${k}`));
check(empty.length === 0, `empty texts: ${empty.join(' ')}`);
// English has no Cyrillic left in it; Belarusian uses і and ў and never и, щ or ъ (a text
// with those is Russian); Russian has no і or ў.
const textsOf = (d) => Object.entries(d).flatMap(([k, v]) => (typeof v === 'object' ? Object.values(v) : [v]).map((x) => [k, x]));
const cyrillicInEn = textsOf(dicts.en).filter(([, x]) => /[а-яё]/i.test(x)).map(([k]) => k);
check(cyrillicInEn.length === 0, `English texts with Cyrillic: ${cyrillicInEn.join(' ')}`);
const russianInBe = textsOf(dicts.be).filter(([, x]) => /[ищъ]/i.test(x)).map(([k]) => k);
check(russianInBe.length === 0, `Belarusian texts with и/щ/ъ: ${russianInBe.join(' ')}`);
const belarusianInRu = textsOf(dicts.ru).filter(([, x]) => /[іў]/i.test(x)).map(([k]) => k);
check(belarusianInRu.length === 0, `Russian texts with і/ў: ${belarusianInRu.join(' ')}`);

// The contract's codes: every `a.b` in backquotes, less the audit actions (the description
// of AuditEntry's action), the configuration keys it mentions (`api.code_ttl`,
// `storage.password_max_wrong`) and the wildcards (`request.*`).
const yaml = fs.readFileSync(path.join(root, 'engine', 'api', 'openapi.yaml'), 'utf8');
const auditBlock = /\n {4}AuditEntry:\n[\s\S]*?\n {8}action:\n([\s\S]*?)\n {8}[a-z_]+:\n/.exec(yaml);
check(auditBlock, 'the contract describes AuditEntry.action');
const auditActions = auditBlock ? [...auditBlock[1].matchAll(/`([a-z_]+\.[a-z_.]+)`/g)].map((m) => m[1]) : [];
check(auditActions.length >= 10, `the contract lists the audit actions (${auditActions.length})`);
const configKeys = new Set();
let section = '';
for (const line of fs.readFileSync(path.join(root, 'conf', 'ussdgw.toml'), 'utf8').split('\n')) {
  const header = /^\[+([a-z_.]+)\]+/.exec(line);
  if (header) section = header[1];
  const key = /^([a-z_]+) = /.exec(line);
  if (key) configKeys.add(`${section}.${key[1]}`);
}
const codes = new Set([...yaml.matchAll(/`([a-z_]+(?:\.[a-z_]+)+)`/g)].map((m) => m[1])
  .filter((c) => !configKeys.has(c)));
codes.add('not_found');
for (const a of auditActions) codes.delete(a);
const noText = [...codes].filter((c) => !(`err.${c}` in dicts.ru));
check(codes.size > 40, `the contract names many error codes (${codes.size})`);
check(noText.length === 0, `error codes without a sentence: ${noText.join(' ')}`);
const noAction = auditActions.filter((a) => !(`audit.${a}` in dicts.ru));
check(noAction.length === 0, `audit actions without a text: ${noAction.join(' ')}`);
const enums = (name) => {
  const m = new RegExp(`${name}:\\n(?:.*\\n){0,4}?\\s+enum: \\[([^\\]]+)\\]`).exec(yaml);
  return m ? m[1].split(',').map((x) => x.trim()) : [];
};
for (const [field, prefix] of [['closed_by', 'access.by.'], ['direction', 'dir.'], ['channel', 'channel.'],
  ['refusal', 'err.']]) {
  const values = enums(field).filter((v) => v !== 'null');
  check(values.length > 0 && values.every((v) => `${prefix}${v}` in dicts.ru), `${field} values ${values} all have texts`);
}

const html = fs.readFileSync(path.join(web, 'index.html'), 'utf8');
const used = [...html.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)].map((m) => m[1]);
const unknown = used.filter((k) => !(k in dicts.ru));
check(used.length > 50 && unknown.length === 0, `index.html keys all exist (${used.length} used; unknown: ${unknown.join(' ')})`);
check(!/\sstyle=|<script>|\son[a-z]+=/i.test(html), 'index.html has no inline style, script or handler');

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
