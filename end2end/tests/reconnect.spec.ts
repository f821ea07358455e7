// The shared socket module reconnects by itself and catches up on what it missed; a message
// typed while offline is kept and delivered once the connection is back.
import { test, expect } from './support/fixtures';
import { createRoom, openRoom, roomPage, sendMessage, uniqueRoom } from './support/rooms';
import type { Person } from './support/users';
import { cuttableNetwork } from './support/network';

/** B made a room and A is in it, with A's network then cut (and kept cut). */
async function offlineInARoom(person: (prefix?: string) => Promise<Person>) {
  const a = await person('a');
  const b = await person('b');
  const room = uniqueRoom();
  await createRoom(b.page, room);
  const network = await cuttableNetwork(a.page);
  await openRoom(a.page, room);
  const mine = roomPage(a.page);
  await network.cut();
  await expect(mine.connection).not.toHaveText('Connected');
  return { a, b, room, network, mine };
}

/** Sends a message with Enter that cannot go out yet; returns its text. */
async function typeAway(mine: ReturnType<typeof roomPage>, prefix: string): Promise<string> {
  const text = `${prefix} ${Date.now()}`;
  await mine.composer.fill(text);
  await mine.composer.press('Enter');
  await expect(mine.composer).toHaveValue('');
  return text;
}

test('a dropped socket reconnects and shows what was said meanwhile', async ({ person }) => {
  const { a, b, room, network, mine } = await offlineInARoom(person);

  // Said while A was away.
  const missed = `while you were away ${Date.now()}`;
  await sendMessage(b.page, missed);
  // Typed by A while offline: kept, shown as pending.
  const queued = await typeAway(mine, 'typed offline');

  network.restore();
  await expect(mine.connection).toHaveText('Connected', { timeout: 30_000 });
  await expect(mine.message(missed)).toBeVisible();
  await expect(mine.message(queued)).toHaveCount(1);
  // B gets A's queued message exactly once.
  await expect(roomPage(b.page).message(queued)).toHaveCount(1);
  await expect(roomPage(b.page).message(missed)).toHaveCount(1);
});

test('a message typed offline is still delivered after leaving the room for another page', async ({ person }) => {
  const { a, b, room, network, mine } = await offlineInARoom(person);

  const queued = await typeAway(mine, 'typed offline then left');
  // Off to the room list while it still waits; then the network comes back.
  await a.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rooms', exact: true }).click();
  await expect(a.page).toHaveURL(/\/rooms$/);
  network.restore();
  await expect(roomPage(b.page).message(queued)).toHaveCount(1, { timeout: 30_000 });
  await openRoom(a.page, room);
  await expect(roomPage(a.page).message(queued)).toHaveCount(1);
});

test('messages refused when they finally go out all come back into the box', async ({ person }) => {
  const { a, b, network, mine } = await offlineInARoom(person);
  const first = await typeAway(mine, 'first typed offline');
  const second = await typeAway(mine, 'second typed offline');

  // Meanwhile the room's owner mutes A, so both are refused once the connection is back.
  await b.page.reload();
  await b.page.getByText('Members (2)', { exact: true }).click();
  const list = b.page.locator('details.members');
  await list.getByRole('combobox', { name: `Mute ${a.name} for` }).selectOption({ label: '1 hour' });
  await list.getByRole('button', { name: `Mute ${a.name}`, exact: true }).click();
  await expect(b.page.getByText('muted for another 1 hour', { exact: true })).toBeAttached();

  network.restore();
  await expect(mine.composer).toHaveValue(`${first}\n${second}`, { timeout: 30_000 });
  await expect(a.page.getByRole('alert').filter({ hasText: 'You are muted in this room for another 1 hour' }).first()).toBeVisible();
  await expect(roomPage(b.page).message(first)).toHaveCount(0);
  await expect(roomPage(b.page).message(second)).toHaveCount(0);
});
