// A room renders only its latest page of history; older pages load as the reader scrolls up.
import { test, expect } from './support/fixtures';
import { createRoom, openRoom, roomPage, sendMessage, uniqueRoom } from './support/rooms';

test('scrolling up loads older messages, back to the beginning', async ({ person }) => {
  test.setTimeout(90_000);
  const a = await person('h');
  const room = uniqueRoom();
  await createRoom(a.page, room);
  for (let i = 1; i <= 60; i++) await sendMessage(a.page, `line ${i} of history`);

  await openRoom(a.page, room);
  const { log, messages, message } = roomPage(a.page);
  await expect(messages).toHaveCount(50);
  await expect(message('line 11 of history')).toBeVisible();
  await expect(message('line 10 of history')).toHaveCount(0);

  await log.evaluate((el) => el.scrollTo(0, 0));
  await expect(messages).toHaveCount(60);
  // The reader's place is kept: the older page went in above, not under their eyes.
  await expect.poll(() => log.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  await expect(message('line 1 of history')).toHaveCount(1);
  await expect(log.getByText('This is the beginning of the room.')).toBeVisible();
});
