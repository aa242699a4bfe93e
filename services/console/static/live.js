// Live pages: while a page is shown, ask the API again every 2 s and redraw when what it
// shows has changed. Polling needs nothing beyond /v1, and recovers by itself when the
// server comes back after a restart.
const EVERY_MS = 2000;
let timer = null;
let watching = null;

// ``drawn``: the fingerprint of what the page shows now; a later one that differs redraws.
export function watch(drawn, fingerprint, redraw) {
  stop();
  const mine = {};
  watching = mine;
  let last = drawn;
  const tick = async () => {
    try {
      const now = await fingerprint();
      if (watching !== mine) return;  // another page since the question was asked
      if (now !== last) await redraw();
      last = now;
    } catch {
      // the server is away (restarting) or the session ended: try again on the next tick
    }
    if (watching === mine) timer = setTimeout(tick, EVERY_MS);
  };
  timer = setTimeout(tick, EVERY_MS);
}

export function stop() {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  watching = null;
}
