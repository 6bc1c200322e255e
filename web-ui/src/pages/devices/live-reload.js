// Re-reads a page's data on live events, at most once per 500 ms (events are hints, not data).
import { subscribe } from '../../lib/live.js';

/**
 * Subscribes to topics; when accept(event) holds (or after a reconnect) calls reload(), debounced:
 * the first event of a burst schedules one reload 500 ms later, later events in that time join it.
 * Returns the unsubscribe function.
 */
export function liveReload(topics, accept, reload) {
  let timer = null;
  const unsubscribe = subscribe(topics, event => {
    if (!(event.topic === '*' || accept(event))) return;
    if (timer) return;
    timer = setTimeout(() => { timer = null; reload(); }, 500);
  });
  return () => { clearTimeout(timer); unsubscribe(); };
}
