// What the cabinet test does on the page, as a subscriber would: fill in and submit the forms,
// follow the tabs, read the messages. Selectors are the page's ids (engine/web/index.html);
// texts are compared after folding no-break spaces, as a person reads them.
'use strict';

const norm = (s) => String(s || '').replace(/[\u00a0\u202f]/g, ' ').replace(/\u2011/g, '-').replace(/\s+/g, ' ').trim();

class CabinetPage {
  constructor(watched, baseUrl) {
    this.w = watched;
    this.page = watched.page;
    this.baseUrl = baseUrl;
  }

  async open(hash) {
    const res = await this.page.goto(`${this.baseUrl}/#/${hash || 'login'}`, { waitUntil: 'networkidle0' });
    await this.page.waitForSelector('body.is-ready');
    return res;
  }

  text(sel) {
    return this.page.$eval(sel, (e) => e.textContent).then(norm, () => '');
  }

  visible(sel) {
    return this.page.$eval(sel, (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)).catch(() => false);
  }

  async fill(sel, value) {
    await this.page.$eval(sel, (e) => { e.value = ''; });
    if (value) await this.page.type(sel, value);
  }

  async screen() {
    if (!this.page.url().startsWith(this.baseUrl)) return 'none';
    return this.page.evaluate(() => {
      if (!document.querySelector('#screen-login')) return 'none';
      if (!document.querySelector('#screen-login').hidden) return 'login';
      if (!document.querySelector('#screen-code').hidden) return 'code';
      const panel = [...document.querySelectorAll('.panel')].find((p) => !p.hidden);
      return panel ? panel.id.replace('panel-', '') : 'none';
    });
  }

  // Logs in from the login screen; resolves with "cabinet" or the refusal's text.
  async login(msisdn, secret, byPuk) {
    if ((await this.screen()) !== 'login') await this.open('login');
    await this.page.click(`#login-form input[name="method"][value="${byPuk ? 'puk' : 'password'}"]`);
    await this.fill('#login-msisdn', msisdn);
    await this.fill(byPuk ? '#login-puk' : '#login-password', secret);
    await this.page.focus(byPuk ? '#login-puk' : '#login-password');
    await this.page.keyboard.press('Enter'); // Enter submits
    await this.page.waitForFunction(() => !document.querySelector('#screen-cabinet').hidden ||
      document.querySelector('#login-msg').textContent.trim() !== '', { timeout: 15000 });
    if (!(await this.page.$eval('#screen-cabinet', (e) => e.hidden))) {
      await this.page.waitForSelector('#account-list .row', { timeout: 10000 });
      return 'cabinet';
    }
    return this.text('#login-msg');
  }

  async tab(name) {
    await this.page.click(`#tabs a[data-tab="${name}"]`);
    await this.page.waitForFunction((n) => {
      const p = document.querySelector(`#panel-${n}`);
      return (p && !p.hidden) || !document.querySelector('#screen-login').hidden;
    }, { timeout: 10000 }, name);
    await this.page.waitForNetworkIdle({ idleTime: 150, timeout: 10000 });
  }

  // The account's facts as {field: text}.
  account() {
    return this.page.$$eval('#account-list dd', (dds) => Object.fromEntries(dds.map((d) => [d.dataset.field, d.textContent])))
      .then((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, norm(v)])));
  }

  notice() {
    return this.page.$eval('#notice', (e) => (e.hidden ? '' : e.textContent)).then(norm);
  }

  async waitNotice(pred, what) {
    await this.page.waitForFunction(() => !document.querySelector('#notice').hidden, { timeout: 10000 })
      .catch(() => { throw new Error(`no notice shown (${what})`); });
    return this.notice();
  }

  rows(tbody) {
    return this.page.$$eval(`${tbody} tr`, (trs) => trs.map((tr) => ({
      key: tr.dataset.msisdn || tr.dataset.action || '',
      cells: [...tr.children].map((td) => td.textContent),
    }))).then((rs) => rs.map((r) => ({ key: r.key, cells: r.cells.map(norm) })));
  }

  // Waits for the form message of `form` to change from "" and returns it.
  async formMessage(sel) {
    await this.page.waitForFunction((s) => document.querySelector(s).textContent.trim() !== '', { timeout: 15000 }, sel);
    return this.text(sel);
  }

  dialogOpen() {
    return this.page.$eval('#confirm', (d) => d.open);
  }

  focusedId() {
    return this.page.evaluate(() => document.activeElement && document.activeElement.id);
  }
}

module.exports = { CabinetPage, norm };
