import { test, expect } from './support/fixtures';
import { createRoom, openRoom, roomPage, sendMessage, twoInARoom, uniqueRoom, waitForRoom } from './support/rooms';
import { alert, settle } from './support/users';

test('messages go both ways in real time, with the author name', async ({ person }) => {
  const { a, b } = await twoInARoom(person);

  const fromA = `hello from a ${Date.now()}`;
  await sendMessage(a.page, fromA);
  const seenByB = roomPage(b.page).message(fromA);
  await expect(seenByB).toBeVisible();
  await expect(seenByB).toContainText(a.name);
  await expect(seenByB.locator('time')).toBeAttached();

  const fromB = `hi back from b ${Date.now()}`;
  await sendMessage(b.page, fromB);
  const seenByA = roomPage(a.page).message(fromB);
  await expect(seenByA).toBeVisible();
  await expect(seenByA).toContainText(b.name);
});

test('presence: joining and leaving updates "Online users"', async ({ person }) => {
  const a = await person('a');
  const b = await person('b');
  const room = uniqueRoom();
  await createRoom(a.page, room);
  const online = roomPage(a.page).online;
  await expect(online).toContainText('1 online');
  await expect(online.getByRole('listitem').filter({ hasText: a.name })).toBeVisible();

  await openRoom(b.page, room);
  await expect(online.getByRole('listitem').filter({ hasText: b.name })).toBeVisible();
  await expect(online).toContainText('2 online');

  await b.page.close();
  await expect(online).toContainText('1 online', { timeout: 15_000 });
  await expect(online.getByRole('listitem').filter({ hasText: b.name })).toHaveCount(0, { timeout: 15_000 });
});

test('history survives a reload, in order', async ({ person }) => {
  const a = await person();
  const room = uniqueRoom();
  await createRoom(a.page, room);
  const texts = ['first message', 'second message', 'third message'].map((t) => `${t} ${Date.now()}`);
  for (const t of texts) await sendMessage(a.page, t);

  await a.page.reload();
  await waitForRoom(a.page, room);
  const { messages } = roomPage(a.page);
  await expect(messages).toContainText(texts);
  await expect(messages.filter({ hasText: texts[0] })).toContainText(a.name);
});

test('markup in a message is shown as text', async ({ person }) => {
  const a = await person('a');
  const b = await person('b');
  const room = uniqueRoom();
  await createRoom(a.page, room);
  await openRoom(b.page, room);

  const body = '<b>bold</b><script>window.__x=1</script>';
  await sendMessage(a.page, body);

  const check = async (page: typeof a.page) => {
    const { log, message } = roomPage(page);
    await expect(message(body)).toBeVisible();
    await expect(log.getByText(body)).toBeVisible();
    await expect(log.locator('b')).toHaveCount(0);
    await expect(log.locator('script')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __x?: unknown }).__x)).toBeUndefined();
  };
  await check(a.page); // sender, live
  await check(b.page); // receiver, live
  await b.page.reload(); // server-rendered history
  await waitForRoom(b.page, room);
  await check(b.page);
});

test('formatting looks the same live and after a reload; only web addresses become links', async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  const tag = `formatted ${Date.now()}`;
  const typed = [
    `${tag} **bold** *italic* ~~gone~~ \`a<b>\` see https://example.com/x.`,
    '```rust',
    'fn main() { **not bold** }',
    '```',
    '> quoted',
    '- one',
    '- two',
    '[docs](https://example.org/docs) [bad](javascript:alert(1)) <i>raw</i>',
  ].join('\n');
  await sendMessage(a.page, typed, tag);

  /** The message's formatted body, without the comments hydration leaves in it. */
  const shape = (page: typeof a.page) =>
    roomPage(page).message(tag).locator('.body').evaluate((body) => {
      const copy = body.cloneNode(true) as Element;
      const walker = document.createTreeWalker(copy, NodeFilter.SHOW_COMMENT);
      const comments: Node[] = [];
      while (walker.nextNode()) comments.push(walker.currentNode);
      comments.forEach((comment) => comment.parentNode?.removeChild(comment));
      copy.normalize();
      return copy.innerHTML;
    });
  const check = async (page: typeof a.page) => {
    const message = roomPage(page).message(tag);
    await expect(message).toHaveCount(1);
    await expect(message.locator('strong')).toHaveText('bold');
    await expect(message.locator('em')).toHaveText('italic');
    await expect(message.locator('del')).toHaveText('gone');
    await expect(message.locator('p code')).toHaveText('a<b>');
    await expect(message.locator('pre code.language-rust')).toHaveText('fn main() { **not bold** }');
    await expect(message.locator('blockquote')).toHaveText('quoted');
    await expect(message.getByRole('listitem')).toHaveText(['one', 'two']);
    const docs = message.getByRole('link', { name: 'docs' });
    await expect(docs).toHaveAttribute('href', 'https://example.org/docs');
    await expect(docs).toHaveAttribute('target', '_blank');
    await expect(docs).toHaveAttribute('rel', 'noopener noreferrer nofollow ugc');
    await expect(message.getByRole('link', { name: 'https://example.com/x' })).toHaveAttribute('href', 'https://example.com/x');
    await expect(message.getByRole('link')).toHaveCount(2);
    await expect(message).toContainText('[bad](javascript:alert(1)) <i>raw</i>');
    await expect(message.locator('i')).toHaveCount(0);
  };
  await check(a.page); // sender, live
  await check(b.page); // receiver, live
  const live = await shape(b.page);
  await b.page.reload(); // server-rendered history
  await waitForRoom(b.page, room);
  await check(b.page);
  expect(await shape(b.page)).toBe(live);
});

test('a too-long message shows an alert, stays in the box and is not sent', async ({ person }) => {
  const a = await person('a');
  const b = await person('b');
  const room = uniqueRoom();
  await createRoom(a.page, room);
  await openRoom(b.page, room);

  const tooLong = 'x'.repeat(2001);
  const { composer, messages } = roomPage(a.page);
  await composer.fill(tooLong);
  await composer.press('Enter');
  await expect(alert(a.page, /Messages are 1.2000 characters/)).toBeVisible();
  await expect(composer).toHaveValue(tooLong);

  // A valid message sent afterwards is the only one anybody sees.
  const ok = `short one ${Date.now()}`;
  await sendMessage(a.page, ok);
  await expect(roomPage(b.page).message(ok)).toBeVisible();
  await expect(messages).toHaveCount(1);
  await expect(roomPage(b.page).messages).toHaveCount(1);

  // And nothing was stored.
  await b.page.reload();
  await waitForRoom(b.page, room);
  await expect(roomPage(b.page).message(ok)).toBeVisible();
  await expect(roomPage(b.page).messages).toHaveCount(1);
});

test('Enter sends and empties the box; Shift+Enter adds a newline', async ({ person }) => {
  const a = await person();
  const room = uniqueRoom();
  await createRoom(a.page, room);
  const { composer, message } = roomPage(a.page);

  const text = `enter sends ${Date.now()}`;
  await composer.fill(text);
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  await expect(message(text)).toBeVisible();

  await composer.pressSequentially('line one');
  await composer.press('Shift+Enter');
  await composer.pressSequentially('line two');
  await expect(composer).toHaveValue('line one\nline two');
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  const multi = roomPage(a.page).messages.filter({ hasText: 'line one' });
  await expect(multi).toBeVisible();
  await expect(multi).toContainText('line two');
});

test("the browser's Back button returns to a room that is live again", async ({ person }) => {
  const { a, b, room } = await twoInARoom(person);
  await a.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rooms', exact: true }).click();
  await expect(a.page).toHaveURL(/\/rooms$/);
  await settle(a.page);
  await a.page.goBack();
  await waitForRoom(a.page, room);
  await settle(a.page);
  const said = `while a was away ${Date.now()}`;
  await sendMessage(b.page, said);
  await expect(roomPage(a.page).message(said)).toBeVisible();
  await expect(roomPage(a.page).online.getByRole('listitem').filter({ hasText: a.name })).toBeVisible();
});

test('the same text sent twice at once arrives twice and neither copy is left sending', async ({ person }) => {
  const { a, b } = await twoInARoom(person);
  const same = `twice ${Date.now()}`;
  const mine = roomPage(a.page);
  await mine.composer.fill(same);
  await mine.composer.press('Enter');
  await mine.composer.fill(same);
  await mine.composer.press('Enter');

  await expect(mine.message(same)).toHaveCount(2);
  await expect(mine.log.getByText('Sending…')).toHaveCount(0);
  await expect(roomPage(b.page).message(same)).toHaveCount(2);
});

test('someone sending faster than the allowance is told to slow down, and keeps what they typed', async ({ person }) => {
  const a = await person();
  const room = uniqueRoom('fast');
  await createRoom(a.page, room);
  const { composer } = roomPage(a.page);
  const slowDown = a.page.getByRole('alert').filter({ hasText: /Slow down: try again in \d+ seconds?/ });
  // Past the burst (100 in the tests' configuration), typed and sent faster than any hand could,
  // yet under the socket's own frame burst (raised to 400 there; each send may carry a typing
  // frame).
  await composer.evaluate((box: HTMLTextAreaElement) => {
    for (let i = 0; i < 150; i++) {
      box.value = `quick ${i}`;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    }
  });
  await expect(slowDown).toBeVisible();
  await expect(composer).toHaveValue(/^quick \d+/);
});
