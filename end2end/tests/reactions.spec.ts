// Reactions: chosen from a picker (eight common emoji, or any one typed), shown under the message
// with a count and who gave them, toggled by pressing, live for everyone, by pointer or keyboard.
import { test, expect } from './support/fixtures';
import { roomPage, sendMessage, twoInARoom } from './support/rooms';

test('people react and take it back, by pointer and by keyboard alone, and everyone sees who reacted', async ({ person }) => {
  const { a, b } = await twoInARoom(person);
  const text = `lunch at noon? ${Date.now()}`;
  await sendMessage(a.page, text);
  const mine = roomPage(a.page);
  const theirs = roomPage(b.page);
  await expect(theirs.message(text)).toBeVisible();

  // B, with the mouse: "Add reaction" opens the picker, its first emoji ready for the keyboard.
  await theirs.message(text).hover();
  await theirs.message(text).getByRole('button', { name: 'Add reaction' }).click();
  const picker = b.page.getByRole('dialog', { name: 'Add reaction' });
  await expect(picker.getByRole('button')).toHaveCount(8 + 2);
  await expect(picker.getByRole('button').first()).toBeFocused();
  await picker.getByRole('button', { name: '👍', exact: true }).click();
  await expect(picker).toHaveCount(0);
  for (const view of [mine, theirs]) {
    await expect(view.message(text).getByRole('button', { name: `👍 1: ${b.name}`, exact: true })).toBeVisible();
  }
  await expect(theirs.message(text).getByRole('button', { name: `👍 1: ${b.name}` })).toHaveAttribute('aria-pressed', 'true');
  await expect(mine.message(text).getByRole('button', { name: `👍 1: ${b.name}` })).toHaveAttribute('aria-pressed', 'false');

  // A, by keyboard alone: focus the message, Tab to the reaction, press it to join in.
  await mine.message(text).focus();
  await a.page.keyboard.press('Tab');
  await expect(mine.message(text).getByRole('button', { name: `👍 1: ${b.name}` })).toBeFocused();
  await a.page.keyboard.press('Enter');
  const both = `👍 2: ${b.name}, ${a.name}`;
  for (const view of [mine, theirs]) {
    await expect(view.message(text).getByRole('button', { name: both, exact: true })).toBeVisible();
  }
  // The keyboard stays on the reaction pressed: pressing again takes A's back.
  await expect(mine.message(text).getByRole('button', { name: both })).toBeFocused();
  await a.page.keyboard.press('Enter');
  await expect(theirs.message(text).getByRole('button', { name: `👍 1: ${b.name}`, exact: true })).toBeVisible();

  // Any emoji can be typed; text cannot, and the picker says why and keeps it.
  await mine.message(text).focus();
  // The reaction, then the actions: Reply, Copy link, Edit, Delete (A's own message), Add reaction.
  for (let press = 0; press < 6; press++) await a.page.keyboard.press('Tab');
  await expect(mine.message(text).getByRole('button', { name: 'Add reaction' })).toBeFocused();
  await a.page.keyboard.press('Enter');
  const theirPicker = a.page.getByRole('dialog', { name: 'Add reaction' });
  const any = theirPicker.getByRole('textbox', { name: 'Any emoji' });
  await any.fill('yum');
  await any.press('Enter');
  await expect(theirPicker.getByRole('alert')).toHaveText('A reaction is one emoji');
  await expect(any).toHaveValue('yum');
  // Escape closes it without reacting; the keyboard goes back to "Add reaction".
  await any.press('Escape');
  await expect(theirPicker).toHaveCount(0);
  await expect(mine.message(text).getByRole('button', { name: 'Add reaction' })).toBeFocused();
  await a.page.keyboard.press('Enter');
  await any.fill('🦀');
  await any.press('Enter');
  await expect(theirs.message(text).getByRole('button', { name: `🦀 1: ${a.name}`, exact: true })).toBeVisible();

  // A's edit in progress survives B reacting meanwhile (the message re-renders).
  await mine.message(text).hover();
  await mine.message(text).getByRole('button', { name: 'Edit', exact: true }).click();
  const editor = a.page.getByRole('textbox', { name: 'Edit message' });
  await editor.fill(`${text} (a draft)`);
  await theirs.message(text).hover();
  await theirs.message(text).getByRole('button', { name: 'Add reaction' }).click();
  await b.page.getByRole('dialog', { name: 'Add reaction' }).getByRole('button', { name: '🎉', exact: true }).click();
  const editing = mine.messages.filter({ has: editor });
  await expect(editing.getByRole('button', { name: `🎉 1: ${b.name}`, exact: true })).toBeVisible();
  await expect(editor).toHaveValue(`${text} (a draft)`);
  await editor.press('Escape');

  // B takes theirs back; what is left is the same after a reload.
  await theirs.message(text).getByRole('button', { name: `👍 1: ${b.name}` }).click();
  await expect(mine.message(text).getByRole('button', { name: /^👍/ })).toHaveCount(0);
  await b.page.reload();
  const reloaded = roomPage(b.page).message(text);
  await expect(reloaded.getByRole('group', { name: 'Reactions' }).getByRole('button')).toHaveCount(2);
  await expect(reloaded.getByRole('button', { name: `🦀 1: ${a.name}`, exact: true })).toBeVisible();
});
