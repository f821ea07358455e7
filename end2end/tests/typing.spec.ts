import { test, expect } from './support/fixtures';
import { roomPage, twoInARoom } from './support/rooms';

test('typing shows "… is typing" to the others, cleared by the message or after a few seconds', async ({ person }) => {
  const { a, b } = await twoInARoom(person);
  const typingLine = a.page.locator('.typing');

  const composer = roomPage(b.page).composer;
  await composer.pressSequentially('hello th');
  await expect(typingLine).toHaveText(`${b.name} is typing…`);
  // The typist does not see themselves typing.
  await expect(b.page.locator('.typing')).toHaveText('');

  await composer.pressSequentially('ere');
  await composer.press('Enter');
  await expect(roomPage(a.page).message('hello there')).toBeVisible();
  await expect(typingLine).toHaveText('');

  // Typing without sending: the line goes away on its own.
  await composer.pressSequentially('never sent');
  await expect(typingLine).toHaveText(`${b.name} is typing…`);
  await expect(typingLine).toHaveText('', { timeout: 8_000 });
});
