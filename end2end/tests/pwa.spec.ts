// Installable PWA: manifest and icons, a service worker registered by the WASM client that keeps
// the app shell, and an offline page when the server cannot be reached.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { test, expect } from './support/fixtures';
import { createRoom, uniqueRoom } from './support/rooms';
import { baseURL, restart } from './support/server';
import { settle } from './support/users';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Waits until the page is controlled by an active service worker. */
async function serviceWorkerReady(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.state ?? 'none')), {
      timeout: 20_000,
    })
    .toBe('activated');
}

test('the manifest names the app, opens standalone and has its icons', async ({ request }) => {
  const answer = await request.get('/manifest.webmanifest');
  expect(answer.ok()).toBe(true);
  const manifest = await answer.json();
  expect(manifest.name).toBe('mini-discord');
  expect(manifest.short_name).toBeTruthy();
  expect(manifest.display).toBe('standalone');
  expect(manifest.start_url).toBe('/rooms');
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  const sizes = manifest.icons.map((icon: { sizes: string; purpose: string }) => `${icon.sizes} ${icon.purpose}`);
  expect(sizes).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']));
  for (const icon of manifest.icons) {
    const image = await request.get(icon.src);
    expect(image.ok(), icon.src).toBe(true);
    expect(image.headers()['content-type']).toContain('image/png');
  }
});

test('every page links the manifest', async ({ page }) => {
  for (const address of ['/', '/login', '/signup']) {
    await page.goto(address);
    await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
    await expect(page.locator('meta[name="theme-color"]').first()).toHaveAttribute('content', /^#/);
  }
});

test('Chromium finds the app installable', async () => {
  // A normal (incognito-like) Playwright context always reports "in-incognito": use a real,
  // throwaway profile.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'md-pwa-profile-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.MD_CHROMIUM ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      baseURL,
    });
    const page = await context.newPage();
    await page.goto('/');
    await settle(page);
    await serviceWorkerReady(page);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
    const { errors } = await cdp.send('Page.getAppManifest');
    expect(errors).toEqual([]);
  } finally {
    await context?.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test('the service worker keeps the shell in a cache named for this build, and no chat data', async ({ person }) => {
  const a = await person();
  const room = uniqueRoom();
  await createRoom(a.page, room);
  await serviceWorkerReady(a.page);
  const cached = await a.page.evaluate(async () => {
    const names = await caches.keys();
    const entries: string[] = [];
    for (const name of names) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) entries.push(new URL(request.url).pathname);
    }
    return { names, entries };
  });
  expect(cached.names).toHaveLength(1);
  expect(cached.names[0]).toMatch(/^mini-discord-shell-[0-9a-f]{16}$/);
  expect(cached.entries).toEqual(
    expect.arrayContaining(['/offline.html', '/offline.js', '/pkg/mini-discord.js', '/pkg/mini-discord.wasm', '/pkg/mini-discord.css']),
  );
  for (const entry of cached.entries) {
    expect(entry).not.toMatch(/^\/(api|ws|rooms)/);
  }
  // The script the browser runs is this build's: the same name as the cache it made.
  const script = await a.page.request.get('/sw.js');
  expect(script.headers()['cache-control']).toContain('no-cache');
  expect(await script.text()).toContain(cached.names[0]);
});

test('with the server down, a page opens, says it is offline, and recovers by itself', async ({ person }) => {
  test.setTimeout(120_000);
  const a = await person();
  const room = uniqueRoom();
  await createRoom(a.page, room);
  await serviceWorkerReady(a.page);

  await restart(async () => {
    await a.page.goto(`/rooms/${room}`).catch(() => {});
    await expect(a.page.getByRole('heading', { name: 'You are offline' })).toBeVisible();
    await expect(a.page.getByRole('status')).toContainText(/cannot reach|Still offline/);
    // Styled from the cache too.
    const styled = await a.page.evaluate(() => document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0);
    expect(styled).toBe(true);
  });
  // Back up: the offline page retries on its own and opens the page that was asked for.
  await expect(a.page).toHaveURL(new RegExp(`/rooms/${room}$`));
  await expect(a.page.getByRole('heading', { name: `#${room}` })).toBeVisible({ timeout: 30_000 });
});
