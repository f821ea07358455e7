// The service worker shows this page in place of the one asked for, so reloading asks for
// that page again.
const status = document.getElementById('offline-status');
async function reachable() {
  try {
    return (await fetch('/healthz', { cache: 'no-store' })).ok;
  } catch (_) {
    return false;
  }
}
// The live status only changes when the user asks: a screen reader should not repeat it
// every few seconds.
document.getElementById('offline-retry').addEventListener('click', async () => {
  if (await reachable()) { location.reload(); return; }
  status.textContent = 'Still offline. This page keeps trying by itself every few seconds.';
});
setInterval(async () => { if (await reachable()) location.reload(); }, 5000);
