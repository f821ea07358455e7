import type { Page, WebSocketRoute } from '@playwright/test';

/** Routes the page's sockets through a network the test can cut (and keep cut), then restore. */
export async function cuttableNetwork(page: Page) {
  let down = false;
  const live: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (down) {
      ws.close({ code: 1012, reason: 'test: network down' });
      return;
    }
    ws.connectToServer();
    live.push(ws);
  });
  return {
    async cut() {
      down = true;
      for (const ws of live.splice(0)) await ws.close({ code: 1012, reason: 'test: network down' });
    },
    restore() {
      down = false;
    },
  };
}
