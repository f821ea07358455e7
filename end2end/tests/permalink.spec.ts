// Every message has a permanent address ("Copy link"): opening it shows the room's history around
// that message, highlighted, reads forward to the present, and stays live.
import type { Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { alert } from './support/users';
import { createRoom, postMessages, roomPage, sendMessage, twoInARoom, uniqueRoom, waitForRoom } from './support/rooms';

const story = Array.from({ length: 80 }, (_, at) => `line ${at + 1} of the story`);

/** Opens a message link and waits until the room is live. */
async function openLink(page: Page, room: string, link: string): Promise<void> {
  await page.goto(link);
  await expect(page.getByRole('heading', { name: `#${room}`, exact: true })).toBeVisible();
  await expect(roomPage(page).connection).toHaveText('Connected', { timeout: 15_000 });
}

test('Copy link, by keyboard, gives an address that opens the message highlighted, and reading forward reaches the present live', async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  await postMessages(a.page, room, story);
  await a.page.reload();
  await waitForRoom(a.page, room);
  await a.context.grantPermissions(['clipboard-read', 'clipboard-write']);

  // Line 10 is on an older page: scroll up to it.
  const { log, message } = roomPage(a.page);
  await log.evaluate((el) => el.scrollTo(0, 0));
  const target = message('line 10 of the story');
  await expect(target).toHaveCount(1);

  // The actions appear for the pointer and for keyboard focus.
  const actions = target.getByRole('group', { name: 'Message actions' });
  const copy = actions.getByRole('button', { name: 'Copy link' });
  await a.page.mouse.move(0, 0);
  await expect(actions).toHaveCSS('opacity', '0');
  await target.hover();
  await expect(actions).toHaveCSS('opacity', '1');
  await a.page.mouse.move(0, 0);
  await expect(actions).toHaveCSS('opacity', '0');
  await target.focus();
  // Its actions: Reply, then Copy link.
  await a.page.keyboard.press('Tab');
  await a.page.keyboard.press('Tab');
  await expect(copy).toBeFocused();
  await expect(actions).toHaveCSS('opacity', '1');
  await a.page.keyboard.press('Enter');
  await expect(a.page.getByRole('status').filter({ hasText: 'Link copied' })).toBeVisible();
  const link = await a.page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(new RegExp(`^http://[^/]+/rooms/${room}/messages/\\d+$`));

  // The other person opens it: the history around line 10, the line highlighted and in view.
  await openLink(b.page, room, link);
  const theirs = roomPage(b.page);
  const linked = theirs.message('line 10 of the story');
  await expect(linked).toHaveClass(/\blinked\b/);
  await expect(linked).toBeInViewport();
  await expect(theirs.message('line 1 of the story')).toHaveCount(1);
  await expect(theirs.message('line 80 of the story')).toHaveCount(0);
  const jump = b.page.getByRole('button', { name: 'Jump to present ↓' });
  await expect(jump).toBeVisible();

  // Said while they read the past: it waits below what they have not reached yet.
  const meanwhile = `said meanwhile ${Date.now()}`;
  await sendMessage(a.page, meanwhile);

  // Scrolling down reads forward, page by page, to the present, which includes it.
  await expect(async () => {
    await theirs.log.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(theirs.message(meanwhile)).toHaveCount(1, { timeout: 1_000 });
  }).toPass();
  await expect(theirs.messages).toHaveCount(81);
  await expect(jump).toHaveCount(0);

  // And from there the room is live.
  const later = `and live again ${Date.now()}`;
  await sendMessage(a.page, later);
  await expect(theirs.message(later)).toBeVisible();
});

test('"Jump to present" and one\'s own message leave the linked past for the latest page', async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  await postMessages(a.page, room, story);
  await a.page.reload();
  await waitForRoom(a.page, room);
  await roomPage(a.page).log.evaluate((el) => el.scrollTo(0, 0));
  const earliest = await roomPage(a.page).message('line 1 of the story').getAttribute('data-id');

  await openLink(b.page, room, `/rooms/${room}/messages/${earliest}`);
  const theirs = roomPage(b.page);
  await expect(theirs.message('line 1 of the story')).toHaveClass(/\blinked\b/);
  await b.page.getByRole('button', { name: 'Jump to present ↓' }).click();
  // At the present, at its end.
  await expect(theirs.message('line 80 of the story')).toBeInViewport();
  await expect(theirs.message('line 1 of the story')).toHaveCount(0);

  // Back in the past, the reader's own message brings them to the present, where it is.
  await openLink(b.page, room, `/rooms/${room}/messages/${earliest}`);
  const own = `my own answer ${Date.now()}`;
  await theirs.composer.fill(own);
  await theirs.composer.press('Enter');
  await expect(theirs.message(own)).toBeInViewport();
  await expect(theirs.message('line 80 of the story')).toHaveCount(1);
  await expect(theirs.message('line 1 of the story')).toHaveCount(0);
});

test("a link to a message the room does not have says so and shows the room's latest messages", async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  const elsewhere = uniqueRoom();
  await createRoom(a.page, elsewhere);
  const secret = `only in the other room ${Date.now()}`;
  await sendMessage(a.page, secret);
  const secretId = await roomPage(a.page).message(secret).getAttribute('data-id');
  await sendMessage(b.page, `hello ${Date.now()}`);

  for (const id of [secretId, '999999999', 'nonsense']) {
    await openLink(b.page, room, `/rooms/${room}/messages/${id}`);
    await expect(alert(b.page, 'The linked message is not in this room')).toBeVisible();
    await expect(roomPage(b.page).messages).toHaveCount(1);
    await expect(roomPage(b.page).log).not.toContainText(secret);
  }
});
