// The guestbook page in a real browser: playwright-core driving the system's Chromium (headless).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { requireOrSkip } from '@nodeapp/test-support';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildTestApp, type TestApp } from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const chromiumRequirement = {
  missing: `no Chromium at ${CHROMIUM}`,
  howToGet: 'apt-get install chromium, or set CHROMIUM_PATH to a Chromium or Chrome binary',
};

let t: TestApp;
let browser: Browser;
let base: string;
// Playwright's temporary profile goes here, so nothing is left behind in the shared temp folder.
const profileTmp = mkdtempSync(join(tmpdir(), 'nodeapp-browser-'));

before(async () => {
  if (!available) return;
  t = await buildTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  process.env.TMPDIR = profileTmp;
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

after(async () => {
  await browser?.close();
  await t?.close();
  rmSync(profileTmp, { recursive: true, force: true });
});

/** A page that records console errors: a CSP violation shows up there. */
async function openPage(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${base}${path}`);
  return { page, errors };
}

test('open the page, leave a message through the form, see it listed', async (t2) => {
  if (!requireOrSkip(t2, available, chromiumRequirement)) return;
  await t.db.exec('TRUNCATE messages RESTART IDENTITY');
  const { page, errors } = await openPage('/?name=Browser');
  await page.waitForSelector('#greeting:has-text("Hello, Browser!")');
  await page.waitForSelector('#list-status:has-text("No messages yet")');
  await page.fill('#message-name', 'Ana');
  await page.fill('#message-text', 'Hello from a real browser');
  await page.click('#message-submit');
  await page.waitForSelector('#form-status:has-text("Thank you!")');
  const item = page.locator('#messages li').first();
  assert.equal(await item.locator('.message-name').textContent(), 'Ana');
  assert.equal(await item.locator('.message-text').textContent(), 'Hello from a real browser');
  assert.equal(await page.inputValue('#message-text'), '', 'the text box is cleared');
  assert.deepEqual(errors, [], 'no console errors, so no CSP violation');
  await page.close();
});

test('a message containing <script> and HTML is shown as text, never run', async (t2) => {
  if (!requireOrSkip(t2, available, chromiumRequirement)) return;
  const hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>bold</b>';
  const { page, errors } = await openPage('/');
  await page.fill('#message-name', '<i>Mallory</i>');
  await page.fill('#message-text', hostile);
  await page.click('#message-submit');
  await page.waitForSelector('#form-status:has-text("Thank you!")');
  const item = page.locator('#messages li').first();
  assert.equal(await item.locator('.message-text').textContent(), hostile);
  assert.equal(await item.locator('.message-name').textContent(), '<i>Mallory</i>');
  assert.equal(await item.locator('script, img, b, i').count(), 0, 'no element was created from the text');
  assert.equal(await page.evaluate('window.__pwned'), undefined);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a refused message shows the reason from the API', async (t2) => {
  if (!requireOrSkip(t2, available, chromiumRequirement)) return;
  const { page } = await openPage('/');
  await page.fill('#message-name', '   ');
  await page.fill('#message-text', 'only spaces as a name');
  // Bypass the browser's own `required` check, to see the server's answer.
  await page.evaluate("document.getElementById('message-form').setAttribute('novalidate', '')");
  await page.click('#message-submit');
  await page.waitForSelector('#form-status.error');
  assert.match((await page.textContent('#form-status')) ?? '', /body\/name must NOT have fewer than 1 characters/);
  await page.close();
});

test('"Load more" pages through older messages', async (t2) => {
  if (!requireOrSkip(t2, available, chromiumRequirement)) return;
  await t.db.exec('TRUNCATE messages RESTART IDENTITY');
  for (let i = 1; i <= 25; i++) {
    await t.app.inject({ method: 'POST', url: '/api/messages', payload: { name: 'n', text: `message ${i}` } });
  }
  const { page } = await openPage('/');
  await page.waitForSelector('#messages li >> nth=19');
  assert.equal(await page.locator('#messages li').count(), 20);
  await page.click('#load-more');
  await page.waitForSelector('#messages li >> nth=24');
  assert.equal(await page.locator('#messages li').count(), 25);
  assert.equal(await page.locator('#messages li .message-text').last().textContent(), 'message 1');
  assert.equal(await page.isHidden('#load-more'), true);
  await page.close();
});

test('the API docs render under their CSP', async (t2) => {
  if (!requireOrSkip(t2, available, chromiumRequirement)) return;
  const { page, errors } = await openPage('/docs/');
  await page.waitForSelector('.swagger-ui .info .title:has-text("Nodeapp API")');
  await page.waitForSelector('.opblock-summary-path[data-path="/api/messages/{id}"]');
  assert.deepEqual(
    errors.filter((e) => /Content Security Policy/i.test(e)),
    [],
  );
  await page.close();
});
