// The browser side of the web cabinet tests: Debian's Chromium, headless, driven by
// puppeteer-core (nothing is downloaded: the executable is /usr/bin/chromium, or
// $USSDGW_CHROMIUM). Every page is watched for console errors, uncaught exceptions, failed
// requests and Content-Security-Policy violations; a failed step saves a screenshot and the
// console next to the screenshots of the run.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const SOURCE_DIR = process.env.USSDGW_SOURCE_DIR || path.resolve(__dirname, '..', '..');
const puppeteer = require(path.join(SOURCE_DIR, 'scripts', 'node', 'node_modules', 'puppeteer-core'));

const CHROMIUM = process.env.USSDGW_CHROMIUM || '/usr/bin/chromium';
// Width and height only: switching isMobile or hasTouch would make puppeteer reload the page.
const PHONE = { width: 360, height: 740, deviceScaleFactor: 1 };
const DESKTOP = { width: 1280, height: 800, deviceScaleFactor: 1 };

async function launch() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ussdgw-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--lang=ru-RU'],
    protocolTimeout: 60000,
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
    kill() {
      const proc = browser.process();
      if (proc) proc.kill('SIGKILL');
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// A refusal of the API is an expected part of many steps: Chromium logs every 4xx answer
// of fetch() as a console error ("Failed to load resource: ... status of 401"). Those from
// /api/v1/ with a 4xx status are counted as refusals; any other console error fails the run.
function isApiRefusal(msg, baseUrl) {
  const url = (msg.location && msg.location.url) || '';
  return /^Failed to load resource: the server responded with a status of 4\d\d\b/.test(msg.text) &&
    url.startsWith(`${baseUrl}/api/v1/`);
}

// A page in a fresh browser context (its own cookies and localStorage), watched.
async function watchedPage(browser, baseUrl, viewport) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const log = [];
  const problems = [];
  let refusals = 0;
  await page.setViewport(viewport || PHONE);
  await page.exposeFunction('__ussdgwCspViolation', (v) => {
    problems.push(`CSP violation: ${v}`);
    log.push(`[csp] ${v}`);
  });
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__ussdgwCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.on('console', (m) => {
    const msg = { type: m.type(), text: m.text(), location: m.location() };
    log.push(`[${msg.type}] ${msg.text} (${msg.location.url || ''})`);
    if (msg.type !== 'error') return;
    if (isApiRefusal(msg, baseUrl)) refusals++;
    else problems.push(`console error: ${msg.text} (${msg.location.url || ''})`);
  });
  page.on('pageerror', (e) => {
    log.push(`[pageerror] ${e.message}`);
    problems.push(`uncaught exception: ${e.message}`);
  });
  page.on('requestfailed', (r) => {
    const why = r.failure() ? r.failure().errorText : '?';
    log.push(`[requestfailed] ${r.url()} ${why}`);
    if (why !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().startsWith(`${baseUrl}/api/v1/`)) {
      problems.push(`HTTP ${r.status()} for ${r.url()}`);
    }
    else if (r.status() >= 500) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  return {
    page,
    log,
    problems,
    refusals: () => refusals,
    async close() {
      await context.close().catch(() => {});
    },
  };
}

// Screenshots of the page as it is, at phone and desktop size (then back to `restore`).
async function screenshots(page, dir, name, restore) {
  const files = [];
  for (const [label, vp] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    await page.setViewport(vp);
    await new Promise((r) => setTimeout(r, 50)); // one frame for the layout to settle
    const file = path.join(dir, `${name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  await page.setViewport(restore || PHONE);
  return files;
}

async function saveFailure(watched, dir, name) {
  const base = path.join(dir, `FAILED-${name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80)}`);
  try {
    await watched.page.screenshot({ path: `${base}.png`, fullPage: true });
  } catch (e) {
    watched.log.push(`[test] screenshot failed: ${e.message}`);
  }
  let html = '';
  try {
    html = await watched.page.content();
  } catch (e) {
    html = `(no page content: ${e.message})`;
  }
  fs.writeFileSync(`${base}.console.txt`, `${watched.log.join('\n')}\n`);
  fs.writeFileSync(`${base}.html`, html);
  return base;
}

module.exports = { launch, watchedPage, screenshots, saveFailure, PHONE, DESKTOP, SOURCE_DIR, CHROMIUM };
