// Mentions: a message with "@name" stands out for that person (and says so to screen readers),
// for nobody else, live and after a reload.
import { test, expect } from './support/fixtures';
import { createRoom, openRoom, roomList, roomPage, roomsMatching, sendMessage, twoInARoom, uniqueRoom } from './support/rooms';

test('a message mentioning someone stands out for them only', async ({ person }) => {
  const { a, b } = await twoInARoom(person);
  const text = `look at this @${a.name.toUpperCase()}, ${Date.now()}`;
  await sendMessage(b.page, text);
  const mine = roomPage(a.page);
  await expect(mine.message(text)).toHaveClass(/mentions-me/);
  await expect(mine.message(text)).toContainText('Mentions you');
  await expect(roomPage(b.page).message(text)).not.toHaveClass(/mentions-me/);
  const plain = `no one in particular ${Date.now()} mail ${a.name}@example.com`;
  await sendMessage(b.page, plain);
  await expect(mine.message(plain)).toBeVisible();
  await expect(mine.message(plain)).not.toHaveClass(/mentions-me/);
  await a.page.reload();
  await expect(roomPage(a.page).message(text)).toHaveClass(/mentions-me/);
});

test('typing @ offers the room\'s people: arrows, Enter or Tab choose, Escape closes', async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  // Once A's page has said how far A has read, A is one of the room's people.
  const hisSidebar = a.page.getByRole('navigation', { name: 'Your rooms' });
  await expect(hisSidebar.getByRole('link', { name: `#${room}`, exact: true })).toBeVisible();
  const theirs = roomPage(b.page);
  const list = b.page.getByRole('listbox', { name: 'Mention someone' });

  // "@" alone offers everyone, alphabetically (A's name starts with "a", B's with "b").
  await theirs.composer.pressSequentially('@');
  await expect(list.getByRole('option')).toHaveText([`@${a.name}`, `@${b.name}`]);
  await expect(list.getByRole('option', { name: `@${a.name}` })).toHaveAttribute('aria-selected', 'true');
  await expect(theirs.composer).toHaveAttribute('aria-activedescendant', 'mention-suggestion-0');
  await theirs.composer.press('ArrowDown');
  await expect(list.getByRole('option', { name: `@${b.name}` })).toHaveAttribute('aria-selected', 'true');
  await theirs.composer.press('ArrowUp');
  await theirs.composer.press('Tab');
  await expect(list).toHaveCount(0);
  await expect(theirs.composer).toHaveValue(`@${a.name} `);
  await expect(theirs.composer).toBeFocused();

  // Then by part of a name; Escape closes without sending; typing on offers again; Enter chooses.
  await theirs.composer.pressSequentially(`and @${a.name.slice(0, 4).toUpperCase()}`);
  await expect(list.getByRole('option')).toHaveText([`@${a.name}`]);
  await theirs.composer.press('Escape');
  await expect(list).toHaveCount(0);
  await expect(theirs.composer).toHaveValue(`@${a.name} and @${a.name.slice(0, 4).toUpperCase()}`);
  await theirs.composer.press('Backspace');
  await expect(list.getByRole('option')).toHaveText([`@${a.name}`]);
  await theirs.composer.press('Enter');
  await expect(theirs.composer).toHaveValue(`@${a.name} and @${a.name} `);
  const said = `${Date.now()}`;
  await theirs.composer.pressSequentially(said);
  await theirs.composer.press('Enter');
  await expect(theirs.composer).toHaveValue('');
  await expect(roomPage(a.page).message(said)).toHaveClass(/mentions-me/);
  await expect(roomPage(a.page).message(said)).toHaveText(new RegExp(`@${a.name} and @${a.name} ${said}`));
});

test('the room list and the sidebar count mentions apart from the unread messages', async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  // Once B's page has said how far B has read, the room is one of B's.
  const sidebar = b.page.getByRole('navigation', { name: 'Your rooms' });
  await expect(sidebar.getByRole('link', { name: `#${room}`, exact: true })).toBeVisible();
  // B steps into another room; A writes twice in the first, mentioning B once.
  const other = uniqueRoom('m');
  await createRoom(b.page, other);
  const entry = sidebar.getByRole('listitem').filter({ has: b.page.getByRole('link', { name: `#${room}`, exact: true }) });
  await expect(entry).toBeVisible();
  await sendMessage(a.page, 'for everyone');
  await sendMessage(a.page, `@${b.name} this one is for you`);
  await expect(entry.locator('.unread')).toHaveText('2 unread');
  await expect(entry.locator('.mention-count')).toHaveText('@1 mention');

  // The room list says the same, counted by the server.
  await roomsMatching(b.page, room);
  const listed = roomList(b.page).entry(room);
  await expect(listed.locator('.unread')).toHaveText('2 unread');
  await expect(listed.locator('.mention-count')).toHaveText('@1 mention');
  // Reading the room clears both.
  await openRoom(b.page, room);
  await expect(roomPage(b.page).message('this one is for you')).toHaveClass(/mentions-me/);
  await roomsMatching(b.page, room);
  await expect(listed.locator('.unread')).toHaveCount(0);
  await expect(listed.locator('.mention-count')).toHaveCount(0);
});
