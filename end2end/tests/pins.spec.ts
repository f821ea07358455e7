// Pins: anyone in the room pins a message (by pointer or keyboard), it is marked for everyone at
// once, and "Pinned messages" lists the room's pins, the latest first, each leading to its message.
import { test, expect } from './support/fixtures';
import { roomPage, sendMessage, twoInARoom } from './support/rooms';

test('people pin and unpin messages, and "Pinned messages" lists them latest first and goes to each', async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  const rules = `house rules ${Date.now()}`;
  const schedule = `the schedule ${Date.now()}`;
  await sendMessage(a.page, rules);
  await sendMessage(a.page, schedule);
  const mine = roomPage(a.page);
  const theirs = roomPage(b.page);
  await expect(theirs.message(schedule)).toBeVisible();

  // B pins A's first message with the mouse: marked for both at once.
  await theirs.message(rules).hover();
  await theirs.message(rules).getByRole('button', { name: 'Pin', exact: true }).click();
  for (const view of [mine, theirs]) {
    await expect(view.message(rules).getByText('Pinned', { exact: true })).toBeVisible();
    await expect(view.message(schedule).getByText('Pinned', { exact: true })).toHaveCount(0);
  }
  // A pins the second by keyboard alone: focus it, then its actions (Reply, Copy link, Edit,
  // Delete, Add reaction, Pin).
  await mine.message(schedule).focus();
  for (let press = 0; press < 6; press++) await a.page.keyboard.press('Tab');
  await expect(mine.message(schedule).getByRole('button', { name: 'Pin', exact: true })).toBeFocused();
  await a.page.keyboard.press('Enter');
  await expect(theirs.message(schedule).getByText('Pinned', { exact: true })).toBeVisible();
  // The keyboard stays on the control pressed, now "Unpin".
  await expect(mine.message(schedule).getByRole('button', { name: 'Unpin', exact: true })).toBeFocused();

  // The list: the latest pinned first, each entry a link to its message.
  const open = b.page.getByRole('button', { name: 'Pinned messages' });
  await open.click();
  await expect(open).toHaveAttribute('aria-expanded', 'true');
  const list = b.page.getByRole('region', { name: 'Pinned messages' });
  const entries = list.getByRole('link');
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toContainText(schedule);
  await expect(entries.nth(1)).toContainText(rules);
  await expect(entries.nth(1)).toHaveAttribute('href', new RegExp(`/rooms/${room}/messages/\\d+$`));

  // While open it follows the room: A unpins the schedule.
  await mine.message(schedule).hover();
  await mine.message(schedule).getByRole('button', { name: 'Unpin', exact: true }).click();
  await expect(entries).toHaveCount(1);
  await expect(theirs.message(schedule).getByText('Pinned', { exact: true })).toHaveCount(0);

  // An entry goes to its message in place: highlighted and focused, the list closed.
  await entries.first().click();
  await expect(list).toHaveCount(0);
  await expect(theirs.message(rules)).toBeFocused();
  await expect(theirs.message(rules)).toHaveClass(/linked/);
  // The highlight stays while the message changes (A reacts to it).
  await mine.message(rules).hover();
  await mine.message(rules).getByRole('button', { name: 'Add reaction' }).click();
  await a.page.getByRole('dialog', { name: 'Add reaction' }).getByRole('button', { name: '👀', exact: true }).click();
  await expect(theirs.message(rules).getByRole('button', { name: `👀 1: ${a.name}` })).toBeVisible();
  await expect(theirs.message(rules)).toHaveClass(/linked/);

  // After a reload, the same.
  await b.page.reload();
  await expect(roomPage(b.page).message(rules).getByText('Pinned', { exact: true })).toBeVisible();
  await b.page.getByRole('button', { name: 'Pinned messages' }).click();
  const reopened = b.page.getByRole('region', { name: 'Pinned messages' });
  await expect(reopened.getByRole('link')).toHaveCount(1);
  // Escape closes it, and so does a click elsewhere.
  await b.page.keyboard.press('Escape');
  await expect(reopened).toHaveCount(0);
  await b.page.getByRole('button', { name: 'Pinned messages' }).click();
  await expect(reopened).toBeVisible();
  await b.page.getByRole('heading', { name: `#${room}` }).click();
  await expect(reopened).toHaveCount(0);
});
