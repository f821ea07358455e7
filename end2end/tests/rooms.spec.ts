import { test, expect } from './support/fixtures';
import { createRoom, openRoom, roomList, roomsMatching, uniqueRoom, waitForRoom } from './support/rooms';
import { alert, settle } from './support/users';

test('typing a room name and pressing Enter opens the room', async ({ person }) => {
  const { page } = await person();
  const room = uniqueRoom();
  await expect(page.getByRole('heading', { name: 'Rooms', exact: true })).toBeVisible();
  const box = page.getByLabel('Room name', { exact: true });
  await box.fill(room);
  await box.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/rooms/${room}$`));
  await expect(page.getByRole('heading', { name: `#${room}`, exact: true })).toBeVisible();
  await waitForRoom(page, room);
});

test('the "Open room" button opens the room too', async ({ person }) => {
  const { page } = await person();
  const room = uniqueRoom();
  await page.getByLabel('Room name', { exact: true }).fill(room);
  await page.getByRole('button', { name: 'Open room', exact: true }).click();
  await waitForRoom(page, room);
});

test('an invalid room name shows an alert and stays on /rooms', async ({ person }) => {
  const { page } = await person();
  const box = page.getByLabel('Room name', { exact: true });
  await box.fill('no spaces allowed!');
  await page.getByRole('checkbox', { name: 'Private room' }).check();
  await box.press('Enter');
  await expect(alert(page, /Room names are 1.64 characters/)).toBeVisible();
  await expect(page).toHaveURL(/\/rooms(\?.*)?$/);
  // What was typed and ticked is still there to mend.
  await expect(page.getByLabel('Room name', { exact: true })).toHaveValue('no spaces allowed!');
  await expect(page.getByRole('checkbox', { name: 'Private room' })).toBeChecked();
});

test('the Room list shows new rooms and online counts live', async ({ person }) => {
  const watcher = await person('w');
  const creator = await person('c');
  const room = uniqueRoom();

  // The watcher sits on the room list filtered to the coming room's name (loaded once, never
  // reloaded below): a new room shows up live on the page of the list it belongs to.
  await roomsMatching(watcher.page, room);
  const { list, entry } = roomList(watcher.page);
  await expect(list).toBeAttached();

  // The creator opens a new room and stays in it.
  await createRoom(creator.page, room);

  const row = entry(room);
  await expect(row).toBeVisible({ timeout: 15_000 });
  await expect(row).toContainText('1 online', { timeout: 15_000 });

  // The watcher opens the room in a second tab; the first tab's list goes to 2 online.
  const secondTab = await watcher.context.newPage();
  await openRoom(secondTab, room);
  await expect(row).toContainText('2 online', { timeout: 15_000 });

  // And back to 1 when that tab is closed.
  await secondTab.close();
  await expect(row).toContainText('1 online', { timeout: 15_000 });
});
