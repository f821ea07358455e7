// Accessibility and layout on every screen, in the light and the dark theme: axe-core finds no
// serious or critical violation, and at 375 px wide nothing scrolls sideways.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { createRoom, roomPage, sendMessage, uniqueRoom } from './support/rooms';
import { settle } from './support/users';

type Screen = { name: string; open: (page: Page) => Promise<void> };

const anonymousScreens: Screen[] = [
  { name: 'home', open: async (page) => void (await page.goto('/')) },
  { name: 'log in', open: async (page) => void (await page.goto('/login')) },
  { name: 'sign up', open: async (page) => void (await page.goto('/signup')) },
];

async function seriousViolations(page: Page): Promise<string[]> {
  await settle(page);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });

    test('the anonymous screens have no serious accessibility problem', async ({ page }) => {
      for (const screen of anonymousScreens) {
        await screen.open(page);
        expect(await seriousViolations(page), screen.name).toEqual([]);
      }
    });

    test('the room list and a room with messages have no serious accessibility problem', async ({ person }) => {
      const a = await person();
      // The fixture's context has no colour scheme of its own: set this test's.
      await a.page.emulateMedia({ colorScheme });
      await a.page.goto('/rooms');
      expect(await seriousViolations(a.page), 'room list').toEqual([]);
      const room = uniqueRoom();
      await createRoom(a.page, room);
      await sendMessage(a.page, `checking contrast ${Date.now()}`);
      const formatted = `formatted ${Date.now()}`;
      await sendMessage(a.page, `**${formatted}** *em* \`code\` https://example.com\n> quote\n- item\n\`\`\`\nblock\n\`\`\``, formatted);
      // A message mentioning the reader (its highlight must keep the text readable).
      const note = `note to self @${a.name} ${Date.now()}`;
      await sendMessage(a.page, note);
      // A reply, with its quote.
      const messages = roomPage(a.page);
      await messages.message(note).hover();
      await messages.message(note).getByRole('button', { name: 'Reply', exact: true }).click();
      await sendMessage(a.page, `a reply ${Date.now()}`, 'a reply');
      await expect(messages.message('a reply').getByRole('link', { name: /^In reply to/ })).toBeVisible();
      // What "@" offers, open.
      await messages.composer.pressSequentially('@');
      await expect(a.page.getByRole('listbox', { name: 'Mention someone' }).getByRole('option')).toHaveCount(1);
      expect(await seriousViolations(a.page), 'room').toEqual([]);
      await messages.composer.fill('');

      // Changing messages: one edited with its earlier versions open, one asking to be deleted,
      // one open in the editor, all at once.
      const press = async (text: string, action: 'Edit' | 'Delete' | 'Add reaction' | 'Pin' | 'Reply') => {
        await messages.message(text).hover();
        await messages.message(text).getByRole('button', { name: action, exact: true }).click();
      };
      const editor = a.page.getByRole('textbox', { name: 'Edit message' });
      await press('checking contrast', 'Edit');
      await editor.fill(`checking contrast, edited ${Date.now()}`);
      await editor.press('Enter');
      // A reaction of one's own (pressed), before the earlier versions open.
      await press('checking contrast', 'Add reaction');
      await a.page.getByRole('dialog', { name: 'Add reaction' }).getByRole('button', { name: '👀', exact: true }).click();
      await expect(messages.message('checking contrast').getByRole('button', { name: `👀 1: ${a.name}` })).toBeVisible();
      const marker = messages.message('checking contrast').getByRole('button', { name: '(edited)' });
      await marker.click();
      await expect(messages.message('checking contrast').getByRole('region', { name: 'Earlier versions' })).toBeVisible();
      // A pinned message.
      await press(formatted, 'Pin');
      await expect(messages.message(formatted).getByText('Pinned', { exact: true })).toBeVisible();
      await press(formatted, 'Delete');
      await expect(a.page.getByRole('alertdialog', { name: 'Delete this message?' })).toBeVisible();
      const third = `being edited ${Date.now()}`;
      await sendMessage(a.page, third);
      await press(third, 'Reply');
      await expect(a.page.getByRole('button', { name: 'Cancel reply' })).toBeVisible();
      await press(third, 'Edit');
      await expect(editor).toBeVisible();
      await press(formatted, 'Add reaction');
      await expect(a.page.getByRole('dialog', { name: 'Add reaction' })).toBeVisible();
      // The room's pinned list open.
      await a.page.getByRole('button', { name: 'Pinned messages' }).click();
      await expect(a.page.getByRole('region', { name: 'Pinned messages' }).getByRole('link')).toHaveCount(1);
      expect(await seriousViolations(a.page), 'room, changing messages').toEqual([]);

      // The owner's panels, each open in turn: members and bans, invite links (with one), the
      // moderation log (with an entry).
      await a.page.reload();
      await a.page.getByText('Invite links (0)', { exact: true }).click();
      await a.page.getByRole('button', { name: 'Create invite link', exact: true }).click();
      for (const panel of ['Members (1)', 'Invite links (1)', 'Edit topic', 'Moderation log']) {
        const summary = a.page.getByText(panel, { exact: true });
        await summary.click();
        expect(await seriousViolations(a.page), panel).toEqual([]);
        await summary.click();
      }
      await a.page.goto('/settings');
      expect(await seriousViolations(a.page), 'settings').toEqual([]);
    });
  });
}

test('at 375 px wide every screen fits without sideways scrolling', async ({ person }) => {
  const a = await person();
  await a.page.setViewportSize({ width: 375, height: 740 });
  const room = uniqueRoom();
  await createRoom(a.page, room);
  await sendMessage(a.page, `a long word: ${'x'.repeat(120)}`);
  await sendMessage(a.page, `a long line of code:\n\`\`\`\n${'y'.repeat(160)}\n\`\`\``, 'a long line of code:');
  for (const address of ['/', '/rooms', `/rooms/${room}`, '/settings', '/login', '/signup']) {
    await a.page.goto(address);
    await settle(a.page);
    const overflow = await a.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, address).toBeLessThanOrEqual(0);
  }
  // The way back to the rooms is there on the narrow room screen.
  await a.page.goto(`/rooms/${room}`);
  await expect(a.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /rooms/i })).toBeVisible();
});
