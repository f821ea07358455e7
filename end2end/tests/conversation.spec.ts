import { test, expect } from './support/fixtures';
import { roomPage, sendMessage, twoInARoom } from './support/rooms';

test("an author's messages in a row form one group: the name shows once", async ({ person }) => {
  const { a, b } = await twoInARoom(person);
  for (const text of ['first of three', 'second of three', 'third of three']) await sendMessage(a.page, text);
  await sendMessage(b.page, 'an answer');

  const log = roomPage(b.page);
  await expect(log.message('an answer')).toBeVisible();
  await expect(log.message('first of three')).not.toHaveClass(/continued/);
  await expect(log.message('second of three')).toHaveClass(/continued/);
  await expect(log.message('third of three')).toHaveClass(/continued/);
  await expect(log.message('an answer')).not.toHaveClass(/continued/);
  // The name is still there for screen readers, only not shown again.
  await expect(log.message('third of three').locator('.author')).toHaveText(a.name);
  await expect(log.message('third of three').locator('.author')).not.toBeInViewport();
});

test('reading further up, new messages wait behind a "New messages" button', async ({ person }) => {
  const { a, b } = await twoInARoom(person);
  await b.page.setViewportSize({ width: 900, height: 500 });
  for (let i = 1; i <= 25; i++) await sendMessage(a.page, `line ${i} ${'so much to say '.repeat(3)}`);
  const log = roomPage(b.page);
  await expect(log.message('line 25')).toBeInViewport();

  // Scrolled up: a new message does not pull the view down; a button says it is there.
  await log.log.evaluate((el) => el.scrollTo(0, 0));
  await sendMessage(a.page, 'while you were reading');
  const newMessages = b.page.getByRole('button', { name: /New messages/ });
  await expect(newMessages).toBeVisible();
  await expect(log.message('while you were reading')).not.toBeInViewport();
  await newMessages.click();
  await expect(log.message('while you were reading')).toBeInViewport();
  await expect(newMessages).toHaveCount(0);

  // At the bottom, new messages simply appear.
  await sendMessage(a.page, 'and one more');
  await expect(log.message('and one more')).toBeInViewport();
  await expect(newMessages).toHaveCount(0);
});
