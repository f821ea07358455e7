// Private rooms and membership, with three people: a private room is invisible and unopenable to
// an outsider until they are added by name; removed, their open tab leaves at once; a member
// leaves a public room; the owner appoints a moderator.
import { test, expect } from './support/fixtures';
import { createRoom, openRoom, roomList, roomPage, roomsMatching, sendMessage, uniqueRoom, waitForRoom } from './support/rooms';
import { settle } from './support/users';
import type { Page } from '@playwright/test';

async function createPrivateRoom(page: Page, room: string): Promise<void> {
  await page.goto('/rooms');
  await settle(page);
  await page.getByLabel('Room name', { exact: true }).fill(room);
  await page.getByRole('checkbox', { name: 'Private room' }).check();
  await page.getByRole('button', { name: 'Open room', exact: true }).click();
  await waitForRoom(page, room);
}

function members(page: Page) {
  return page.locator('details.members');
}

async function openMembers(page: Page, count: number) {
  const summary = page.getByText(`Members (${count})`, { exact: true });
  await summary.click();
  return members(page);
}

test('a private room is hidden from outsiders until they are added, and removal takes their tab out', async ({ person }) => {
  const a = await person('a');
  const b = await person('b');
  const c = await person('c');
  const room = uniqueRoom('priv');
  await createPrivateRoom(a.page, room);
  await expect(a.page.getByText('Private', { exact: true })).toBeVisible();

  // Outsiders: no page, no entry in the list.
  for (const outsider of [b.page, c.page]) {
    await outsider.goto(`/rooms/${room}`);
    await expect(outsider.getByRole('heading', { name: `No room named “${room}”` })).toBeVisible();
    await roomsMatching(outsider, room);
    await expect(roomList(outsider).entry(room)).toHaveCount(0);
  }

  // Added by name, B finds it in "Your rooms" before ever opening it.
  const list = await openMembers(a.page, 1);
  await list.getByLabel('Username', { exact: true }).fill(b.name);
  await list.getByRole('button', { name: 'Add member', exact: true }).click();
  await expect(a.page.getByText('Members (2)', { exact: true })).toBeVisible();
  const own = uniqueRoom('own');
  await createRoom(b.page, own);
  const sidebar = b.page.getByRole('navigation', { name: 'Your rooms' });
  await expect(sidebar.getByRole('link', { name: `#${room}`, exact: true })).toBeVisible();
  await sidebar.getByRole('link', { name: `#${room}`, exact: true }).click();
  await waitForRoom(b.page, room);
  const said = `between us ${Date.now()}`;
  await sendMessage(b.page, said);
  await expect(roomPage(a.page).message(said)).toBeVisible();

  // C is still outside.
  await c.page.goto(`/rooms/${room}`);
  await expect(c.page.getByRole('heading', { name: `No room named “${room}”` })).toBeVisible();

  // Removed, B's open tab leaves the room at once, and cannot come back.
  const again = await openMembers(a.page, 2);
  await again.getByRole('button', { name: `Remove ${b.name} from the room` }).click();
  await expect(b.page).toHaveURL(/\/rooms\?gone=removed/);
  await expect(b.page.getByRole('status').filter({ hasText: `You were removed from #${room}` })).toBeVisible();
  await b.page.goto(`/rooms/${room}`);
  await expect(b.page.getByRole('heading', { name: `No room named “${room}”` })).toBeVisible();
  await expect(a.page.getByText('Members (1)', { exact: true })).toBeVisible();
});

test('the owner appoints a moderator, who adds people; a member leaves a public room', async ({ person }) => {
  const a = await person('a');
  const b = await person('b');
  const c = await person('c');
  const room = uniqueRoom('pub');
  await createRoom(a.page, room);
  await openRoom(b.page, room);
  await expect(b.page.getByRole('button', { name: 'Add member' })).toHaveCount(0);

  await a.page.reload();
  const list = await openMembers(a.page, 2);
  await list.getByRole('button', { name: `Make ${b.name} a moderator` }).click();
  await expect(members(a.page).getByText('moderator', { exact: true })).toHaveCount(1);

  // Now a moderator, B adds C; C, a plain member, leaves.
  await b.page.reload();
  await waitForRoom(b.page, room);
  const theirs = await openMembers(b.page, 2);
  await theirs.getByLabel('Username', { exact: true }).fill(c.name);
  await theirs.getByRole('button', { name: 'Add member', exact: true }).click();
  await expect(b.page.getByText('Members (3)', { exact: true })).toBeVisible();
  await openRoom(c.page, room);
  await c.page.getByRole('button', { name: 'Leave room', exact: true }).click();
  await expect(c.page).toHaveURL(/\/rooms\?gone=left/);
  await expect(c.page.getByRole('status').filter({ hasText: `You left #${room}` })).toBeVisible();
  await b.page.reload();
  await expect(b.page.getByText('Members (2)', { exact: true })).toBeVisible();
  // The owner cannot leave without handing the room over.
  await expect(a.page.getByRole('button', { name: 'Leave room', exact: true })).toHaveCount(0);
});

test('the owner stands a moderator down, makes the room private and public again, and hands it over', async ({ person }) => {
  const a = await person('a');
  const b = await person('b');
  const c = await person('c');
  const room = uniqueRoom('hand');
  await createRoom(a.page, room);
  await openRoom(b.page, room);

  await a.page.reload();
  let list = await openMembers(a.page, 2);
  await list.getByRole('button', { name: `Make ${b.name} a moderator` }).click();
  await expect(members(a.page).getByText('moderator', { exact: true })).toHaveCount(1);
  list = await openMembers(a.page, 2);
  await list.getByRole('button', { name: `Remove ${b.name} as moderator` }).click();
  await expect(members(a.page).getByText('moderator', { exact: true })).toHaveCount(0);
  list = await openMembers(a.page, 2);
  await expect(list.getByRole('button', { name: `Make ${b.name} a moderator` })).toBeVisible();

  // Private: an outsider cannot open it; public again, they can.
  await list.getByRole('button', { name: 'Make room private', exact: true }).click();
  list = await openMembers(a.page, 2);
  await expect(list.getByRole('button', { name: 'Make room public', exact: true })).toBeVisible();
  await c.page.goto(`/rooms/${room}`);
  await expect(c.page.getByRole('heading', { name: `No room named “${room}”` })).toBeVisible();
  await list.getByRole('button', { name: 'Make room public', exact: true }).click();
  list = await openMembers(a.page, 2);
  await expect(list.getByRole('button', { name: 'Make room private', exact: true })).toBeVisible();
  await openRoom(c.page, room);

  // Handed over: B owns it (and cannot leave it); A, a member now, can leave.
  await a.page.reload();
  list = await openMembers(a.page, 3);
  await list.getByRole('button', { name: `Make ${b.name} the owner` }).click();
  await expect(a.page.getByRole('button', { name: 'Leave room', exact: true })).toBeVisible();
  list = await openMembers(a.page, 3);
  await expect(list.getByRole('button', { name: `Make ${b.name} a moderator` })).toHaveCount(0);
  await b.page.reload();
  await waitForRoom(b.page, room);
  await expect(b.page.getByRole('button', { name: 'Leave room', exact: true })).toHaveCount(0);
  await expect(members(b.page).getByText('owner', { exact: true })).toHaveCount(1);
});

test('the owner sets a topic, shown above the room to everyone in it', async ({ person }) => {
  const a = await person('a');
  const b = await person('b');
  const room = uniqueRoom('topic');
  await createRoom(a.page, room);
  await openRoom(b.page, room);
  await expect(b.page.getByText('Edit topic', { exact: true })).toHaveCount(0);
  await a.page.getByText('Edit topic', { exact: true }).click();
  const topic = `Plans for the week ${Date.now()}`;
  await a.page.getByLabel('Topic', { exact: true }).fill(topic);
  await a.page.getByRole('button', { name: 'Save topic', exact: true }).click();
  await expect(a.page.getByText(topic, { exact: true })).toBeVisible();
  await b.page.reload();
  await expect(b.page.getByText(topic, { exact: true })).toBeVisible();
});

test('a banned member leaves at once and cannot come back until unbanned', async ({ person }) => {
  const a = await person('a');
  const b = await person('b');
  const room = uniqueRoom('ban');
  await createRoom(a.page, room);
  await openRoom(b.page, room);
  await a.page.reload();
  const list = await openMembers(a.page, 2);
  await list.getByRole('button', { name: `Ban ${b.name} from the room` }).click();
  await expect(b.page).toHaveURL(/\/rooms\?gone=banned/);
  await expect(b.page.getByRole('status').filter({ hasText: `You were banned from #${room}` })).toBeVisible();
  await b.page.goto(`/rooms/${room}`);
  await expect(b.page.getByRole('alert').filter({ hasText: 'You are banned from this room' })).toBeVisible();

  const banned = await openMembers(a.page, 1);
  await expect(banned.getByText('Banned (1)', { exact: true })).toBeVisible();
  await banned.getByRole('button', { name: `Unban ${b.name}`, exact: true }).click();
  await expect(a.page.getByText('Banned (0)', { exact: true })).toBeAttached();
  await openRoom(b.page, room);

  // Both are in the moderation log, newest first.
  await a.page.getByText('Moderation log', { exact: true }).click();
  const log = a.page.locator('details.moderation-log').getByRole('listitem');
  await expect(log.nth(0)).toContainText(`${a.name} unbanned ${b.name}`);
  await expect(log.nth(1)).toContainText(`${a.name} banned ${b.name}`);
  await expect(b.page.getByText('Moderation log', { exact: true })).toHaveCount(0);
});

test('a muted member reads but cannot post, and is told for how long', async ({ person }) => {
  const a = await person('a');
  const b = await person('b');
  const room = uniqueRoom('mute');
  await createRoom(a.page, room);
  await openRoom(b.page, room);
  await a.page.reload();
  const list = await openMembers(a.page, 2);
  await list.getByRole('combobox', { name: `Mute ${b.name} for` }).selectOption({ label: '1 hour' });
  await list.getByRole('button', { name: `Mute ${b.name}`, exact: true }).click();
  await expect(a.page.getByText('muted for another 1 hour', { exact: true })).toBeAttached();

  const { composer } = roomPage(b.page);
  await expect(roomPage(b.page).connection).toHaveText('Connected', { timeout: 15_000 });
  await composer.fill('can I still talk?');
  await composer.press('Enter');
  await expect(b.page.getByRole('alert').filter({ hasText: 'You are muted in this room for another 1 hour' })).toBeVisible();
  await b.page.reload();
  await expect(b.page.getByRole('status').filter({ hasText: 'You are muted in this room for another 1 hour' })).toBeVisible();

  await openMembers(a.page, 2);
  await a.page.getByRole('button', { name: `Unmute ${b.name}`, exact: true }).click();
  await expect(a.page.getByText('muted for another 1 hour', { exact: true })).toHaveCount(0);
  await waitForRoom(b.page, room);
  await sendMessage(b.page, `back again ${Date.now()}`);
});
