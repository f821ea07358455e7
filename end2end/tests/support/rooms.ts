import { expect, type Page } from '@playwright/test';
import { settle, uniqueName, type Person } from './users';

/** A room name unique for this run (letters/digits/-, ≤ 64 chars). */
export function uniqueRoom(prefix = 'r'): string {
  return uniqueName(prefix);
}

/** Escapes a string for use inside a RegExp. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Locators for the room page. */
export function roomPage(page: Page) {
  const log = page.getByRole('log', { name: 'Messages' });
  return {
    log,
    messages: log.getByRole('article'),
    /** The message article(s) whose text contains `text`. */
    message: (text: string) => log.getByRole('article').filter({ hasText: text }),
    composer: page.getByRole('textbox', { name: 'Message', exact: true }),
    connection: page.getByRole('status', { name: 'Connection' }),
    online: page.getByLabel('Online users', { exact: true }),
  };
}

/** The Room list on /rooms and the entry (list item) for one room. */
export function roomList(page: Page) {
  const list = page.getByRole('list', { name: 'Room list' });
  return {
    list,
    entry: (room: string) =>
      list.getByRole('listitem').filter({ has: page.getByRole('link', { name: room, exact: true }) }),
  };
}

/** Opens the room list filtered to `room` (a run makes more rooms than one page holds). */
export async function roomsMatching(page: Page, room: string): Promise<void> {
  await page.goto(`/rooms?q=${encodeURIComponent(room)}`);
  await settle(page);
}

/** Waits for the room page heading and for the live connection to be up. */
export async function waitForRoom(page: Page, room: string): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`/rooms/${escapeRe(room)}$`));
  await expect(page.getByRole('heading', { name: `#${room}`, exact: true })).toBeVisible();
  await expect(roomPage(page).connection).toHaveText('Connected', { timeout: 15_000 });
}

/** Creates (or opens) a room through the "Room name" box on /rooms and waits until connected. */
export async function createRoom(page: Page, room: string): Promise<void> {
  await page.goto('/rooms');
  await settle(page);
  const box = page.getByLabel('Room name', { exact: true });
  await box.fill(room);
  await box.press('Enter');
  await waitForRoom(page, room);
}

/** Opens an existing room by URL and waits until connected. */
export async function openRoom(page: Page, room: string): Promise<void> {
  await page.goto(`/rooms/${room}`);
  await waitForRoom(page, room);
}

/**
 * Sends a message with Enter and waits until it shows up in the sender's own log; `shown` is
 * part of its text as displayed, when formatting makes that differ from what was typed.
 */
export async function sendMessage(page: Page, text: string, shown = text): Promise<void> {
  const { composer, message } = roomPage(page);
  await composer.fill(text);
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  await expect(message(shown)).toBeVisible();
}

/** Two people in a new room: `a` created it, `b` opened it, both connected. */
export async function twoInARoom(person: (prefix?: string) => Promise<Person>) {
  const a = await person('a');
  const b = await person('b');
  const room = uniqueRoom();
  await createRoom(a.page, room);
  await openRoom(b.page, room);
  return { a, b, room };
}

/**
 * Posts many messages at once through a socket of the page's own (as a busy room would), in
 * order, and waits for every ack: faster than typing them.
 */
export async function postMessages(page: Page, room: string, texts: string[]): Promise<void> {
  await page.evaluate(
    async ({ room, texts }) => {
      const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws`);
      const frames: Array<{ type: string }> = [];
      let wake = () => {};
      socket.onmessage = (event) => {
        frames.push(JSON.parse(event.data));
        wake();
      };
      const until = (done: () => boolean) =>
        new Promise<void>((resolve) => {
          wake = () => done() && resolve();
          wake();
        });
      await until(() => frames.some((frame) => frame.type === 'ready'));
      const run = `${Date.now()}`;
      texts.forEach((body, at) => socket.send(JSON.stringify({ type: 'send', room, nonce: `seed-${run}-${at}`, body })));
      await until(() => frames.filter((frame) => frame.type === 'ack').length === texts.length);
      socket.close();
    },
    { room, texts },
  );
}
