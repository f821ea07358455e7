// Mentions: a message with "@name" stands out for that person (and says so to screen readers),
// for nobody else, live and after a reload.
import { test, expect } from './support/fixtures';
import { roomPage, sendMessage, twoInARoom } from './support/rooms';

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
