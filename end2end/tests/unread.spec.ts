import { test, expect } from './support/fixtures';
import { createRoom, openRoom, roomList, roomsMatching, sendMessage, twoInARoom, uniqueRoom, waitForRoom } from './support/rooms';
import { logIn, newContext, settle } from './support/users';

/** The unread pill inside a room's entry (room list or sidebar). */
const unread = (entry: import('@playwright/test').Locator) => entry.locator('.unread');

test('unread counts are live in the room list, cleared by reading, and the same on a second device', async ({
  browser,
  person,
}) => {
  const { a, b, room } = await twoInARoom(person);
  // Bob steps out to the room list; Alice writes twice.
  await roomsMatching(b.page, room);
  const bobsEntry = roomList(b.page).entry(room);
  await expect(bobsEntry).toBeVisible();
  await expect(unread(bobsEntry)).toHaveCount(0);
  await sendMessage(a.page, 'first of two');
  await sendMessage(a.page, 'second of two');
  await expect(unread(bobsEntry)).toHaveText('2 unread');

  // Bob's phone (another log-in) sees the same count: it is kept on the server.
  const phoneContext = await newContext(browser);
  try {
    const phone = await phoneContext.newPage();
    await logIn(phone, b.name, b.password);
    await expect(phone).toHaveURL(/\/rooms$/);
    await roomsMatching(phone, room);
    const phoneEntry = roomList(phone).entry(room);
    await expect(unread(phoneEntry)).toHaveText('2 unread');
    // Alice's own list never counts her own messages.
    await roomsMatching(a.page, room);
    await expect(unread(roomList(a.page).entry(room))).toHaveCount(0);

    // Bob reads the room on his laptop: the phone's count goes at once.
    await openRoom(b.page, room);
    await expect(unread(phoneEntry)).toHaveCount(0);
  } finally {
    await phoneContext.close();
  }
});

test('the sidebar lists the rooms one opened with live unread counts, and leads to them', async ({ browser, person }) => {
  const { a, b, room } = await twoInARoom(person);
  const other = uniqueRoom('side');
  await createRoom(a.page, other);

  // Bob opens the other room on a second device; his laptop's sidebar picks it up live.
  const sidebar = b.page.getByRole('navigation', { name: 'Your rooms' });
  await expect(sidebar.getByRole('link', { name: `#${room}`, exact: true })).toHaveAttribute('aria-current', 'page');
  const phoneContext = await newContext(browser);
  try {
    const phone = await phoneContext.newPage();
    await logIn(phone, b.name, b.password);
    await expect(phone).toHaveURL(/\/rooms$/);
    await openRoom(phone, other);
    await phone.goto('/rooms');
  } finally {
    await phoneContext.close();
  }
  const otherEntry = sidebar.getByRole('listitem').filter({ has: b.page.getByRole('link', { name: `#${other}`, exact: true }) });
  await expect(otherEntry).toBeVisible();

  await sendMessage(a.page, 'over here');
  await expect(unread(otherEntry)).toHaveText('1 unread');
  // The room being read never shows a count, whatever arrives in it.
  await sendMessage(b.page, 'still here');
  await expect(sidebar.locator('li.here .unread')).toHaveCount(0);

  await otherEntry.getByRole('link').click();
  await waitForRoom(b.page, other);
  await expect(b.page.getByRole('log', { name: 'Messages' }).getByRole('article').filter({ hasText: 'over here' })).toBeVisible();
  await expect(sidebar.getByRole('link', { name: `#${other}`, exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(unread(sidebar.getByRole('listitem'))).toHaveCount(0);
});

test('messages are grouped under a divider for each day', async ({ person }) => {
  const { a, b } = await twoInARoom(person);
  await sendMessage(a.page, 'said today');
  const divider = b.page.getByRole('log', { name: 'Messages' }).locator('.day');
  await expect(divider).toHaveText(['Today']);
});

test('a message read just before leaving the room stays read', async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  await sendMessage(a.page, 'read this on your way out');
  await expect(b.page.getByRole('log', { name: 'Messages' }).getByRole('article').filter({ hasText: 'on your way out' })).toBeVisible();
  // Straight away, well within the second a read marker may wait for.
  await b.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rooms', exact: true }).click();
  await expect(b.page).toHaveURL(/\/rooms$/);
  await roomsMatching(b.page, room);
  const entry = roomList(b.page).entry(room);
  await expect(entry).toBeVisible();
  await b.page.reload();
  await settle(b.page);
  await expect(unread(roomList(b.page).entry(room))).toHaveCount(0);
});
