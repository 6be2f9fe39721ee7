// Polling for views that show what the live stream does not carry (the cluster's nodes): one request at a time,
// the next one `intervalMs` after the previous answer (a slow server is never asked twice at once), and none while
// the tab is hidden (it catches up at once when shown again).

/**
 * every(2000, async () => {...}) runs the task now and again and again while the page is visible; returns stop().
 * A task that throws is retried at the next interval; it should show its own error.
 */
export function every(intervalMs, task) {
  let stopped = false;
  let running = false;
  let timer = null;

  async function run() {
    timer = null;
    if (stopped || running) return;
    if (document.hidden) return; // visibilitychange starts it again
    running = true;
    try {
      await task();
    } catch (e) {
      console.error('poll failed', e);
    } finally {
      running = false;
      if (!stopped && timer === null) timer = setTimeout(run, intervalMs);
    }
  }

  function onVisibility() {
    if (document.hidden || stopped || running) return;
    clearTimeout(timer);
    run();
  }

  document.addEventListener('visibilitychange', onVisibility);
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
    timer = null;
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
