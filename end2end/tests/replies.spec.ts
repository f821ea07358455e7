// Replies: "Reply" on a message makes the composer answer it ("Replying to NAME", "Cancel
// reply"); the reply shows a quote of the original that goes to it, however far back, and
// follows the original's edits and deletion.
import { test, expect } from './support/fixtures';
import { postMessages, roomPage, sendMessage, twoInARoom, waitForRoom } from './support/rooms';

test('a reply quotes its original, goes to it, and follows its edits and deletion', async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  const question = `Has anyone seen the keys? ${Date.now()}`;
  await sendMessage(a.page, question);
  const mine = roomPage(a.page);
  const theirs = roomPage(b.page);

  // B replies with the mouse, then changes their mind.
  await theirs.message(question).hover();
  await theirs.message(question).getByRole('button', { name: 'Reply', exact: true }).click();
  const composer = b.page.locator('form.composer');
  await expect(composer.getByText(`Replying to ${a.name}`)).toBeVisible();
  await expect(theirs.composer).toBeFocused();
  await composer.getByRole('button', { name: 'Cancel reply' }).click();
  await expect(composer.getByText('Replying to')).toHaveCount(0);

  // Then by keyboard: focus the message, Tab to Reply (its first action), Enter, type, Enter.
  await theirs.message(question).focus();
  await b.page.keyboard.press('Tab');
  await expect(theirs.message(question).getByRole('button', { name: 'Reply', exact: true })).toBeFocused();
  await b.page.keyboard.press('Enter');
  await expect(theirs.composer).toBeFocused();
  const answer = `In the kitchen ${Date.now()}`;
  await b.page.keyboard.type(answer);
  await b.page.keyboard.press('Enter');
  await expect(composer.getByText('Replying to')).toHaveCount(0);
  for (const view of [mine, theirs]) {
    const quote = view.message(answer).getByRole('link', { name: `In reply to ${a.name}: ${question}` });
    await expect(quote).toBeVisible();
  }

  // The quote goes to the original, highlighted and focused.
  await mine.message(answer).getByRole('link', { name: /^In reply to/ }).click();
  const original = mine.messages.filter({ hasText: question }).first();
  await expect(original).toBeFocused();
  await expect(original).toHaveClass(/linked/);

  // The original is edited: the quote follows at once.
  await original.hover();
  await original.getByRole('button', { name: 'Edit', exact: true }).click();
  const editor = a.page.getByRole('textbox', { name: 'Edit message' });
  await editor.fill('Has anyone seen my blue keys?');
  await editor.press('Enter');
  await expect(
    theirs.message(answer).getByRole('link', { name: `In reply to ${a.name}: Has anyone seen my blue keys?` }),
  ).toBeVisible();

  // Deleted: the quote says so, live and after a reload, with none of its text.
  const edited = mine.message('my blue keys').first();
  await edited.hover();
  await edited.getByRole('button', { name: 'Delete', exact: true }).click();
  await a.page.getByRole('button', { name: 'Delete message' }).click();
  await expect(theirs.message(answer).getByText('Original message deleted')).toBeVisible();
  await b.page.reload();
  await waitForRoom(b.page, room);
  await expect(theirs.message(answer).getByText('Original message deleted')).toBeVisible();
  await expect(theirs.log).not.toContainText('blue keys');
});

test('the quote of a message far back loads the history around it', async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  const story = Array.from({ length: 80 }, (_, at) => `chapter ${at + 1} of the saga`);
  await postMessages(a.page, room, story);
  await b.page.reload();
  await waitForRoom(b.page, room);
  const theirs = roomPage(b.page);

  // B scrolls up to chapter 3 and answers it.
  await theirs.log.evaluate((el) => el.scrollTo(0, 0));
  const third = theirs.message('chapter 3 of the saga');
  await expect(third).toHaveCount(1);
  await third.hover();
  await third.getByRole('button', { name: 'Reply', exact: true }).click();
  await sendMessage(b.page, 'what a beginning');

  // From the latest page alone (a fresh load), the quote still finds it.
  await a.page.reload();
  await waitForRoom(a.page, room);
  const mine = roomPage(a.page);
  // The chapter itself, not the reply quoting it.
  const chapter = mine.message('chapter 3 of the saga').filter({ hasNot: a.page.getByRole('link', { name: /^In reply to/ }) });
  await expect(chapter).toHaveCount(0);
  await mine.message('what a beginning').getByRole('link', { name: `In reply to ${a.name}: chapter 3 of the saga` }).click();
  await expect(a.page).toHaveURL(new RegExp(`/rooms/${room}/messages/\\d+$`));
  await expect(chapter).toHaveClass(/linked/);
  // And the room is live there: B's next message waits below, one press away.
  await sendMessage(b.page, 'still here');
  await a.page.getByRole('button', { name: 'Jump to present ↓' }).click();
  await expect(mine.message('still here')).toBeVisible();
});
