import { test, expect } from './support/fixtures';
import { createRoom, openRoom, roomPage, sendMessage, twoInARoom, uniqueRoom } from './support/rooms';
import { logIn, newContext } from './support/users';
import type { Page } from '@playwright/test';

/** Makes the page believe its tab is hidden or shown again, as switching tabs would. */
async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
    Object.defineProperty(document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  }, hidden);
}

// Records notifications instead of showing them, as if the user had allowed them: those made
// directly and those shown through the service worker.
const RECORD_NOTIFICATIONS = `(() => {
  window.__notifications = [];
  const record = (title, options) => window.__notifications.push({ title, body: options && options.body, data: options && options.data });
  window.Notification = class {
    constructor(title, options) { record(title, options); }
    static get permission() { return 'granted'; }
    static requestPermission() { return Promise.resolve('granted'); }
  };
  if (window.ServiceWorkerRegistration) {
    ServiceWorkerRegistration.prototype.showNotification = function (title, options) { record(title, options); return Promise.resolve(); };
  }
})();`;

test('while the tab is hidden, the title counts new messages and each one notifies', async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  await b.context.addInitScript(RECORD_NOTIFICATIONS);
  await b.page.reload();
  await expect(roomPage(b.page).connection).toHaveText('Connected', { timeout: 15_000 });
  const title = await b.page.title();

  await setHidden(b.page, true);
  await sendMessage(a.page, 'are you there?');
  await sendMessage(a.page, 'hello?');
  await expect(b.page).toHaveTitle(`(2) ${title}`);
  const notes = await b.page.evaluate(() => (window as unknown as { __notifications: unknown[] }).__notifications);
  expect(notes).toEqual([
    { title: `${a.name} in #${room}`, body: 'are you there?', data: `/rooms/${room}` },
    { title: `${a.name} in #${room}`, body: 'hello?', data: `/rooms/${room}` },
  ]);

  // Back on the tab: the count goes, and messages while looking neither count nor notify.
  await setHidden(b.page, false);
  await expect(b.page).toHaveTitle(title);
  await sendMessage(a.page, 'there you are');
  await expect(roomPage(b.page).message('there you are')).toBeVisible();
  await expect(b.page).toHaveTitle(title);
  expect(await b.page.evaluate(() => (window as unknown as { __notifications: unknown[] }).__notifications)).toHaveLength(2);
});

test('the room offers notifications until the user decides', async ({ person, baseURL }) => {
  const { b } = await twoInARoom(person);
  const offer = b.page.getByRole('button', { name: 'Notify me of new messages' });
  await expect(offer).toBeVisible();
  await b.context.grantPermissions(['notifications'], { origin: baseURL });
  await offer.click();
  await expect(offer).toBeHidden();
});

test('a room\'s notification level, kept for every device, decides what notifies and whether unread messages are counted', async ({ browser, person }) => {
  const { a, b, room } = await twoInARoom(person);
  // Once B's page has said how far B has read, the room is one of B's.
  const sidebar = b.page.getByRole('navigation', { name: 'Your rooms' });
  await expect(sidebar.getByRole('link', { name: `#${room}`, exact: true })).toBeVisible();
  await b.context.addInitScript(RECORD_NOTIFICATIONS);
  await b.page.reload();
  await expect(roomPage(b.page).connection).toHaveText('Connected', { timeout: 15_000 });
  const level = b.page.getByRole('combobox', { name: 'Notifications' });
  await expect(level).toHaveValue('0');
  await level.selectOption({ label: 'Mentions' });
  const notes = () => b.page.evaluate(() => (window as unknown as { __notifications: Array<{ body: string }> }).__notifications);

  // Only mentions notify now; the title still counts every message.
  await setHidden(b.page, true);
  await sendMessage(a.page, 'just chatting');
  await expect(b.page).toHaveTitle(/^\(1\) /);
  await sendMessage(a.page, `@${b.name} look here`);
  await expect(b.page).toHaveTitle(/^\(2\) /);
  expect((await notes()).map((note) => note.body)).toEqual([`@${b.name} look here`]);

  // Nothing: not even a mention.
  await level.selectOption({ label: 'Nothing' });
  await expect(level).toHaveValue('2');
  await sendMessage(a.page, `@${b.name} still there?`);
  await expect(b.page).toHaveTitle(/^\(3\) /);
  expect(await notes()).toHaveLength(1);

  // Another device of B's shows the same choice; from another room, the room's unread messages
  // are a dot, not a count.
  const phoneContext = await newContext(browser);
  try {
    const phone = await phoneContext.newPage();
    await logIn(phone, b.name, b.password);
    await expect(phone).toHaveURL(/\/rooms$/);
    await openRoom(phone, room);
    await expect(phone.getByRole('combobox', { name: 'Notifications' })).toHaveValue('2');
    await phone.getByRole('combobox', { name: 'Notifications' }).selectOption({ label: 'Mentions' });
    // The laptop follows at once.
    await expect(level).toHaveValue('1');
    await createRoom(phone, uniqueRoom('n'));
    await sendMessage(a.page, 'one more');
    const entry = phone
      .getByRole('navigation', { name: 'Your rooms' })
      .getByRole('listitem')
      .filter({ has: phone.getByRole('link', { name: `#${room}`, exact: true }) });
    await expect(entry.locator('.unread')).toHaveText('Unread messages');
    await expect(entry.locator('.unread')).toHaveClass(/dot/);
    // Back to every message on the laptop: the phone's entry counts again, at once.
    await level.selectOption({ label: 'All messages' });
    await expect(entry.locator('.unread')).toHaveText('1 unread');
  } finally {
    await phoneContext.close();
  }
});
