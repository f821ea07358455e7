// Takes the README's screenshot of a room: two people talking, in headless Chromium.
// Usage (server running): node tools/screenshot.mjs http://127.0.0.1:3000 ../docs/room.png
import { chromium } from '@playwright/test';

const [base = 'http://127.0.0.1:3000', out = '../docs/room.png'] = process.argv.slice(2);
const args = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const browser = await chromium.launch({ executablePath: process.env.MD_CHROMIUM ?? '/usr/bin/chromium', args });
const suffix = Date.now().toString(36).slice(-4);
const room = `design-${suffix}`;

async function person(name, viewport) {
  const context = await browser.newContext({ baseURL: base, viewport, colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto('/signup');
  await page.getByLabel('Username', { exact: true }).fill(name);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await page.getByLabel('Confirm password', { exact: true }).fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await page.waitForURL(/\/rooms$/);
  await page.goto(`/rooms/${room}`);
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
  return page;
}

async function say(page, text) {
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text);
  await box.press('Enter');
  await page.getByRole('log', { name: 'Messages' }).getByRole('article').getByText(text).waitFor();
}

const ada = await person(`ada_${suffix}`, { width: 1100, height: 680 });
const linus = await person(`linus_${suffix}`, { width: 1100, height: 680 });
await say(ada, 'Morning! The new room list shows who is around live.');
await say(linus, 'Nice. And history survives a server restart now.');
await say(ada, 'Markup like <b>this</b> stays text, as it should.');
await say(linus, 'Shipping it today.');
await ada.getByRole('log', { name: 'Messages' }).getByText('Shipping it').waitFor();
await ada.screenshot({ path: out });
await browser.close();
console.log(`wrote ${out}`);
