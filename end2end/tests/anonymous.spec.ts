import { test, expect } from './support/fixtures';
import { createRoom, escapeRe, openRoom, roomPage, sendMessage, uniqueRoom, waitForRoom } from './support/rooms';
import { wsURL } from './support/server';
import { nav, settle, submitLogin } from './support/users';

const REDIRECT = [301, 302, 303, 307, 308];

test('an anonymous visitor to a room is sent to /login?next=… and back after logging in', async ({ page, person }) => {
  const owner = await person();
  const room = uniqueRoom();
  await createRoom(owner.page, room);

  await page.goto(`/rooms/${room}`);
  await expect(page).toHaveURL(new RegExp(`/login\\?next=(%2F|/)rooms(%2F|/)${escapeRe(room)}$`));
  await submitLogin(page, owner.name, owner.password);
  await waitForRoom(page, room);
});

test('room HTML is not served to anonymous requests', async ({ request, person }) => {
  const owner = await person();
  const room = uniqueRoom();
  await createRoom(owner.page, room);
  const secret = `secret-body-${Date.now()}`;
  await sendMessage(owner.page, secret);

  const res = await request.get(`/rooms/${room}`, { maxRedirects: 0 });
  expect([302, 303, 307]).toContain(res.status());
  expect(res.headers()['location'] ?? '').toMatch(/\/login/);
  expect(await res.text()).not.toContain(secret);
});

test('an anonymous WebSocket gets no room data', async ({ page, person }) => {
  const owner = await person('o');
  const room = uniqueRoom();
  await createRoom(owner.page, room);

  // A logged-out page opens a raw WebSocket to /ws and records everything it gets.
  await page.goto('/');
  await settle(page);
  await page.evaluate((url) => {
    const w = window as unknown as { __ws: { events: string[]; data: string[] } };
    w.__ws = { events: [], data: [] };
    const ws = new WebSocket(url);
    ws.onopen = () => w.__ws.events.push('open');
    ws.onmessage = (e) => {
      w.__ws.events.push('message');
      w.__ws.data.push(typeof e.data === 'string' ? e.data : '[binary]');
    };
    ws.onerror = () => w.__ws.events.push('error');
    ws.onclose = (e) => w.__ws.events.push(`close:${e.code}`);
  }, wsURL);
  const events = () => page.evaluate(() => (window as unknown as { __ws: { events: string[] } }).__ws.events);
  const received = () => page.evaluate(() => (window as unknown as { __ws: { data: string[] } }).__ws.data.join('\n'));

  // Wait (bounded) until the handshake was accepted or refused.
  await expect.poll(async () => (await events()).length, { timeout: 10_000 }).toBeGreaterThan(0);

  // Room traffic happens while the anonymous socket is (possibly) open: two messages, and
  // another person joining, each confirmed by a logged-in page, so the broadcasts went out.
  const secret1 = `ws-secret-one-${Date.now()}`;
  const secret2 = `ws-secret-two-${Date.now()}`;
  await sendMessage(owner.page, secret1);
  const other = await person('p');
  await openRoom(other.page, room);
  await expect(roomPage(other.page).message(secret1)).toBeVisible();
  await sendMessage(owner.page, secret2);
  await expect(roomPage(other.page).message(secret2)).toBeVisible();

  const data = await received();
  expect(data).not.toContain(secret1);
  expect(data).not.toContain(secret2);
  expect(data).not.toContain(room);
  expect(data).not.toContain(owner.name);
  expect(data).not.toContain(other.name);
});

test.describe('legacy addresses redirect', () => {
  test('/chat/ → /rooms and /chat/<room>/ → /rooms/<room> for a logged-in user', async ({ person }) => {
    const { page } = await person();
    const room = uniqueRoom();
    await createRoom(page, room);

    await page.goto('/chat/');
    await expect(page).toHaveURL(/\/rooms$/);
    await expect(page.getByRole('heading', { name: 'Rooms', exact: true })).toBeVisible();

    await page.goto(`/chat/${room}/`);
    await waitForRoom(page, room);

    // Both are plain HTTP redirects (checked with the logged-in context's cookies).
    for (const [from, to] of [
      ['/chat/', '/rooms'],
      [`/chat/${room}/`, `/rooms/${room}`],
    ]) {
      const res = await page.request.get(from, { maxRedirects: 0 });
      expect(REDIRECT, `${from} status`).toContain(res.status());
      expect(new URL(res.headers()['location'] ?? '', 'http://x').pathname, `${from} location`).toBe(to);
    }
  });

  test('/accounts/login/ → /login and /user/signup/ → /signup', async ({ page, request }) => {
    await page.goto('/accounts/login/');
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('button', { name: 'Log in', exact: true })).toBeVisible();

    await page.goto('/user/signup/');
    await expect(page).toHaveURL(/\/signup$/);
    await expect(page.getByRole('button', { name: 'Sign up', exact: true })).toBeVisible();

    for (const [from, to] of [
      ['/accounts/login/', '/login'],
      ['/user/signup/', '/signup'],
    ]) {
      const res = await request.get(from, { maxRedirects: 0 });
      expect(REDIRECT, `${from} status`).toContain(res.status());
      expect(new URL(res.headers()['location'] ?? '', 'http://x').pathname, `${from} location`).toBe(to);
    }
  });

  test('/accounts/logout/ asks before logging out, then goes to /', async ({ person }) => {
    const { page } = await person();
    await page.goto('/accounts/logout/');
    await expect(page).toHaveURL(/\/logout$/);
    // Opening the address alone (as a link or an image on another site would) logs nobody out.
    await page.goto('/rooms');
    await expect(page).toHaveURL(/\/rooms$/);
    await page.goto('/accounts/logout/');
    await page.getByRole('main').getByRole('button', { name: 'Log out', exact: true }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { name: 'mini-discord', exact: true })).toBeVisible();
    await expect(nav(page).getByRole('link', { name: 'Log in', exact: true })).toBeVisible();
    await page.goto('/rooms');
    await expect(page).toHaveURL(/\/login\?next=/);
  });
});
