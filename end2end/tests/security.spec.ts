import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { createRoom, roomPage, uniqueRoom } from './support/rooms';
import { admin, baseURL } from './support/server';
import { alert, logIn, settle } from './support/users';

/** Everything the browser says about the Content-Security-Policy while `page` is used. */
function violations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to (load|execute|apply|connect|frame)/i.test(message.text())) {
      seen.push(message.text());
    }
  });
  return seen;
}

/** A page served from another origin (another port of this host): what an attacker controls. */
async function elsewhere(html: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((done) => server.close(() => done())) };
}

test('every page loads and comes alive under the security policy, with no violation reported', async ({ person }) => {
  const a = await person();
  const seen = violations(a.page);
  const room = uniqueRoom();
  await createRoom(a.page, room);
  await expect(roomPage(a.page).connection).toHaveText('Connected');
  await expect
    .poll(() => a.page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.state ?? 'none')), {
      timeout: 20_000,
    })
    .toBe('activated');
  expect((await admin(['grant', a.name])).code).toBe(0);
  for (const address of ['/', '/rooms', `/rooms/${room}`, '/rooms/no-such-room-here', '/admin', '/logout', '/nowhere']) {
    const response = await a.page.goto(address);
    expect(response?.headers()['content-security-policy'], address).toContain("frame-ancestors 'none'");
    await settle(a.page);
  }
  // The live parts work: the room's socket connects, the room list's filter box is there.
  await a.page.goto(`/rooms/${room}`);
  await expect(roomPage(a.page).connection).toHaveText('Connected');
  await a.context.clearCookies();
  for (const address of ['/login', '/signup']) {
    await a.page.goto(address);
    await settle(a.page);
  }
  expect(seen).toEqual([]);
});

test('another site cannot show the app in a frame', async ({ page }) => {
  const attacker = await elsewhere(`<!DOCTYPE html><title>prize</title><iframe src="${baseURL}/login" width="600" height="400"></iframe>`);
  try {
    const seen: string[] = [];
    page.on('console', (message) => seen.push(message.text()));
    await page.goto(attacker.url);
    const framed = page.frameLocator('iframe');
    await expect.poll(() => seen.some((text) => /frame-ancestors|X-Frame-Options|refused to (connect|display)/i.test(text))).toBe(true);
    await expect(framed.getByRole('button', { name: 'Log in' })).toHaveCount(0);
  } finally {
    await attacker.close();
  }
});

test('a form on another site cannot act with the user’s session', async ({ person }) => {
  const a = await person();
  const planted = uniqueRoom('planted');
  const attacker = await elsewhere(
    `<!DOCTYPE html><title>win</title><form method="post" action="${baseURL}/api/open_room">` +
      `<input name="name" value="${planted}"><button>Claim your prize</button></form>`,
  );
  try {
    await a.page.goto(attacker.url);
    await a.page.getByRole('button', { name: 'Claim your prize' }).click();
    await expect(a.page.getByText('This request came from another site and was refused.')).toBeVisible();
    // Nothing was created: the room's address only offers to create it.
    await a.page.goto(`/rooms/${planted}`);
    await expect(a.page.getByRole('heading', { name: `No room named “${planted}”` })).toBeVisible();
    // The app's own form, on its own page, does.
    await a.page.getByRole('button', { name: 'Create the room' }).click();
    await expect(a.page.getByRole('heading', { name: `#${planted}`, exact: true })).toBeVisible();
  } finally {
    await attacker.close();
  }
});

test('guessing a password is slowed down, and the page says for how long', async ({ page, person }) => {
  const victim = await person('v');
  for (let attempt = 0; attempt < 6; attempt++) {
    await logIn(page, victim.name, 'not the password');
    await expect(alert(page, 'Invalid username or password')).toBeVisible();
  }
  await logIn(page, victim.name, victim.password);
  await expect(alert(page, /Too many attempts\. Try again in \d+ seconds\./)).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});
