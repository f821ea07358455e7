import { test, expect } from './support/fixtures';
import { createRoom, roomPage, sendMessage, uniqueRoom, waitForRoom } from './support/rooms';
import { restart } from './support/server';
import { submitLogin } from './support/users';

test('history survives a server restart and the page reconnects', async ({ person }) => {
  test.setTimeout(150_000);
  const a = await person();
  const room = uniqueRoom();
  await createRoom(a.page, room);
  const text = `before restart ${Date.now()}`;
  await sendMessage(a.page, text);

  await restart();

  await a.page.reload();
  // Sessions are not required by the contract to survive a restart: log in again if asked.
  await expect(a.page).toHaveURL(/\/(rooms\/|login)/);
  if (new URL(a.page.url()).pathname === '/login') {
    await submitLogin(a.page, a.name, a.password);
  }
  await waitForRoom(a.page, room); // includes: status eventually "Connected"
  await expect(roomPage(a.page).message(text)).toBeVisible();
  await expect(roomPage(a.page).connection).toHaveText('Connected', { timeout: 30_000 });

  // The restarted server still takes new messages.
  await sendMessage(a.page, `after restart ${Date.now()}`);
});
