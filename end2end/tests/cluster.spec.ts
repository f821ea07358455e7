// Two instances of the server sharing PostgreSQL and Redis (scripts/test.sh runs this file in a
// second pass, with DATABASE_URL and REDIS_URL set): the run's server is instance A, this file
// starts instance B, and each person uses a different one.
import { test, expect } from './support/fixtures';
import { createRoom, openRoom, roomPage, sendMessage, uniqueRoom } from './support/rooms';
import { newPerson } from './support/users';
import { startSecondInstance, type SecondInstance } from './support/server';

let instanceB: SecondInstance;

test.beforeAll(async () => {
  instanceB = await startSecondInstance();
});

test.afterAll(async () => {
  await instanceB?.stop();
});

test('two people on different instances chat in real time and see each other online', async ({ person, browser }) => {
  const a = await person('a');
  const b = await newPerson(browser, 'b', { baseURL: instanceB.baseURL });
  try {
    const room = uniqueRoom();
    await createRoom(a.page, room);
    await openRoom(b.page, room);

    // Presence is global: each sees both names, whichever instance they are on.
    for (const page of [a.page, b.page]) {
      const online = roomPage(page).online;
      await expect(online).toContainText('2 online');
      await expect(online.getByRole('listitem').filter({ hasText: a.name })).toBeVisible();
      await expect(online.getByRole('listitem').filter({ hasText: b.name })).toBeVisible();
    }

    const fromA = `hello from instance A ${Date.now()}`;
    await sendMessage(a.page, fromA);
    await expect(roomPage(b.page).message(fromA)).toContainText(a.name);

    const fromB = `hi back from instance B ${Date.now()}`;
    await sendMessage(b.page, `**${fromB}**`, fromB);
    await expect(roomPage(a.page).message(fromB)).toContainText(b.name);
    await expect(roomPage(a.page).message(fromB).locator('strong')).toHaveText(fromB);

    // Both messages are stored once: a reload on either instance shows each exactly once, in order.
    for (const page of [a.page, b.page]) {
      await page.reload();
      const log = roomPage(page);
      await expect(log.message(fromA)).toHaveCount(1);
      await expect(log.message(fromB)).toHaveCount(1);
      await expect(log.messages.last()).toContainText(fromB);
      await expect(log.message(fromB).locator('strong')).toHaveText(fromB);
    }

    // B closes the tab: A sees them leave.
    await b.page.close();
    await expect(roomPage(a.page).online).toContainText('1 online', { timeout: 15_000 });
  } finally {
    await b.context.close().catch(() => {});
  }
});

test('a log-in on one instance is a log-in on the other', async ({ person }) => {
  const a = await person('a');
  await a.page.goto(`${instanceB.baseURL}/rooms`);
  await expect(a.page).toHaveURL(`${instanceB.baseURL}/rooms`);
  await expect(a.page.getByRole('navigation', { name: 'Main' })).toContainText(a.name);
});
