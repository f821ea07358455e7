// Editing and deleting messages: in place, by keyboard or pointer, live for everyone in the room,
// and caught up by a tab that was offline meanwhile, without reloading it.
import type { Locator } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { cuttableNetwork } from './support/network';
import { roomPage, sendMessage, twoInARoom } from './support/rooms';

// A message's actions show while the pointer is on it: `press` points at the message first, as a
// mouse user does.
function actions(message: Locator) {
  const group = message.getByRole('group', { name: 'Message actions' });
  const button = (name: 'Edit' | 'Delete') => group.getByRole('button', { name, exact: true });
  return {
    edit: button('Edit'),
    delete: button('Delete'),
    press: async (name: 'Edit' | 'Delete') => {
      await message.hover();
      await button(name).click();
    },
  };
}

test('a message is edited in place by keyboard alone, shows "(edited)" with its earlier versions, and changes live for the other person', async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  const typo = `helo wrold ${Date.now()}`;
  await sendMessage(a.page, typo);
  const mine = roomPage(a.page);
  const theirs = roomPage(b.page);
  await expect(theirs.message(typo)).toBeVisible();
  // Only the author is offered Edit.
  await expect(actions(theirs.message(typo)).edit).toHaveCount(0);

  // Focus the message, Tab to its actions: Reply, Copy link, then Edit.
  await mine.message(typo).focus();
  for (let press = 0; press < 3; press++) await a.page.keyboard.press('Tab');
  await expect(actions(mine.message(typo)).edit).toBeFocused();
  await a.page.keyboard.press('Enter');
  const editor = a.page.getByRole('textbox', { name: 'Edit message' });
  await expect(editor).toBeFocused();
  await expect(editor).toHaveValue(typo);

  // Escape cancels: nothing changes.
  await a.page.keyboard.type(' oops');
  await a.page.keyboard.press('Escape');
  await expect(editor).toHaveCount(0);
  await expect(mine.message(typo)).not.toContainText('oops');

  // The same rule as a new message: refused here, and the text stays in the box.
  await actions(mine.message(typo)).press('Edit');
  await editor.fill('x'.repeat(2001));
  await editor.press('Enter');
  await expect(a.page.getByRole('alert').filter({ hasText: '2000' })).toBeVisible();
  await expect(editor).toHaveValue('x'.repeat(2001));

  // Shift+Enter starts a new line; Enter saves. Formatting applies as in any message.
  const fixed = `hello **world** ${Date.now()}`;
  await editor.fill(fixed);
  await editor.press('Shift+Enter');
  await editor.pressSequentially('a second line');
  await expect(editor).toHaveValue(`${fixed}\na second line`);
  await editor.press('Enter');
  await expect(editor).toHaveCount(0);

  const shown = fixed.replace('**world**', 'world');
  for (const view of [mine, theirs]) {
    const edited = view.message(shown);
    await expect(edited).toBeVisible();
    await expect(edited).toContainText('a second line');
    await expect(edited.locator('strong')).toHaveText('world');
    await expect(edited.getByRole('button', { name: '(edited)' })).toBeVisible();
    await expect(view.message(typo)).toHaveCount(0);
  }

  // Anyone in the room may see what it said before, with when.
  const marker = theirs.message(shown).getByRole('button', { name: '(edited)' });
  await marker.click();
  await expect(marker).toHaveAttribute('aria-expanded', 'true');
  const earlier = theirs.message(shown).getByRole('region', { name: 'Earlier versions' });
  await expect(earlier.getByRole('listitem')).toHaveCount(1);
  await expect(earlier).toContainText(typo);
  await expect(earlier.locator('time')).toHaveCount(1);

  // After a reload, the same.
  await b.page.reload();
  await expect(roomPage(b.page).message(shown).getByRole('button', { name: '(edited)' })).toBeVisible();
  expect(room).toBeTruthy();
});

test('Delete asks first; then the message is "Message deleted" for everyone, and only its author (or a moderator) is offered it', async ({ person }) => {
  const { a, b } = await twoInARoom(person);
  const text = `take this back ${Date.now()}`;
  await sendMessage(a.page, text);
  const mine = roomPage(a.page);
  const theirs = roomPage(b.page);
  await expect(theirs.message(text)).toBeVisible();
  await expect(actions(theirs.message(text)).delete).toHaveCount(0);

  // Asked first, with focus on the safe answer; Cancel keeps the message.
  await actions(mine.message(text)).press('Delete');
  const question = a.page.getByRole('alertdialog', { name: 'Delete this message?' });
  await expect(question).toBeVisible();
  await expect(question.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await a.page.keyboard.press('Enter');
  await expect(question).toHaveCount(0);
  await expect(mine.message(text)).toBeVisible();

  await actions(mine.message(text)).press('Delete');
  await question.getByRole('button', { name: 'Delete message' }).click();
  for (const view of [mine, theirs]) {
    await expect(view.message(text)).toHaveCount(0);
    await expect(view.message('Message deleted')).toHaveCount(1);
  }
  await expect(actions(mine.message('Message deleted')).delete).toHaveCount(0);
  await b.page.reload();
  await expect(roomPage(b.page).message('Message deleted')).toHaveCount(1);
  await expect(roomPage(b.page).message(text)).toHaveCount(0);
});

test('a tab that was offline while messages were edited, deleted and reacted to shows their final state once back, without reloading', async ({ person }) => {
  const { a, b } = await twoInARoom(person);
  const one = `first take ${Date.now()}`;
  const two = `regrettable ${Date.now()}`;
  await sendMessage(b.page, one);
  await sendMessage(b.page, two);
  const mine = roomPage(a.page);
  await expect(mine.message(two)).toBeVisible();

  // A's network goes down (the page stays: a marker on it would not survive a reload).
  const network = await cuttableNetwork(a.page);
  await a.page.reload();
  await expect(mine.connection).toHaveText('Connected', { timeout: 15_000 });
  await a.page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  await network.cut();
  await expect(mine.connection).not.toHaveText('Connected');

  const theirs = roomPage(b.page);
  await actions(theirs.message(one)).press('Edit');
  const editor = b.page.getByRole('textbox', { name: 'Edit message' });
  await editor.fill(`${one}, then rethought`);
  await editor.press('Enter');
  await expect(theirs.message('then rethought')).toBeVisible();
  await actions(theirs.message(two)).press('Delete');
  await b.page.getByRole('button', { name: 'Delete message' }).click();
  await expect(theirs.message('Message deleted')).toHaveCount(1);
  await theirs.message('then rethought').hover();
  await theirs.message('then rethought').getByRole('button', { name: 'Add reaction' }).click();
  await b.page.getByRole('dialog', { name: 'Add reaction' }).getByRole('button', { name: '🎉', exact: true }).click();
  const reaction = `🎉 1: ${b.name}`;
  await expect(theirs.message('then rethought').getByRole('button', { name: reaction })).toBeVisible();

  network.restore();
  await expect(mine.connection).toHaveText('Connected', { timeout: 20_000 });
  await expect(mine.message('then rethought')).toBeVisible();
  await expect(mine.message('then rethought').getByRole('button', { name: '(edited)' })).toBeVisible();
  await expect(mine.message(two)).toHaveCount(0);
  await expect(mine.message('Message deleted')).toHaveCount(1);
  await expect(mine.message('then rethought').getByRole('button', { name: reaction, exact: true })).toBeVisible();
  expect(await a.page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
});
