// Screenshots of the home, room list and room screens, wide and narrow, light and dark, for the
// README: docs/screens/<screen>-<wide|narrow>-<light|dark>.png. Two people talk in one room first.
// Usage (server running): node tools/screens.mjs http://127.0.0.1:3000 ../docs/screens
import { mkdirSync } from 'node:fs';
import { chromium } from '@playwright/test';

const [base = 'http://127.0.0.1:3000', outDir = '../docs/screens'] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const args = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const browser = await chromium.launch({ executablePath: process.env.MD_CHROMIUM ?? '/usr/bin/chromium', args });
const suffix = Date.now().toString(36).slice(-4);
const room = `design-${suffix}`;
const password = 'correct horse battery';

async function signUp(context, name) {
  const page = await context.newPage();
  await page.goto('/signup');
  await page.getByLabel('Username', { exact: true }).fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await page.waitForURL(/\/rooms$/);
  return page;
}

async function openRoom(page, name = room) {
  await page.goto(`/rooms/${name}`);
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
}

async function say(page, text) {
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text);
  await box.press('Enter');
  await page.getByRole('log', { name: 'Messages' }).getByRole('article').getByText(text).waitFor();
}

const ada = await signUp(await browser.newContext({ baseURL: base }), `ada_${suffix}`);
const linusContext = await browser.newContext({ baseURL: base });
const linus = await signUp(linusContext, `linus_${suffix}`);
// A second room Linus has read before Ada writes in it: its unread count shows in his lists.
const releases = `releases-${suffix}`;
await openRoom(ada, releases);
await openRoom(linus, releases);
await openRoom(linus);
await say(ada, 'v1.2 is tagged.');
await say(ada, 'Release notes are up.');
await openRoom(ada);
await say(ada, 'Morning! The room list shows who is around, live.');
await say(linus, 'Nice. And it installs as an app now.');
await say(ada, 'Markup like <b>this</b> stays text, as it should.');
await say(linus, 'Shipping it today.');
// Someone typing, for the room screen.
await linus.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('one more thing');

const cookies = await linusContext.cookies();
for (const colorScheme of ['light', 'dark']) {
  for (const [size, viewport] of [['wide', { width: 1280, height: 720 }], ['narrow', { width: 375, height: 740 }]]) {
    const context = await browser.newContext({ baseURL: base, viewport, colorScheme });
    const page = await context.newPage();
    await page.goto('/');
    await page.screenshot({ path: `${outDir}/home-${size}-${colorScheme}.png` });
    await context.addCookies(cookies.map(({ name, value, domain, path }) => ({ name, value, domain, path })));
    await page.goto('/rooms');
    await page.getByRole('list', { name: 'Room list' }).getByRole('link', { name: room }).waitFor();
    await page.screenshot({ path: `${outDir}/rooms-${size}-${colorScheme}.png` });
    await openRoom(page);
    await page.getByRole('log', { name: 'Messages' }).getByText('Shipping it').waitFor();
    await ada.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('.');
    await page.screenshot({ path: `${outDir}/room-${size}-${colorScheme}.png` });
    await context.close();
  }
}
await browser.close();
console.log(`wrote ${outDir}`);
