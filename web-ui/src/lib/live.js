// Live updates: one server-sent-event stream (GET /api/v1/events) shared by every page. It is read
// with fetch, not EventSource, so the token travels in the Authorization header and never in a URL.
// Events are hints ({topic, id, ...}: "rollout 12 changed"); a page re-reads what it shows.
// After a reconnect every subscriber gets {topic: '*', reconnected: true}: events may have been
// missed, so re-read everything.
import { authHeaders, API } from './api.js';
import { session } from './session.js';

// The stream needs one of these; without any, it would answer 403, so the console does not ask.
const READ_PERMISSIONS = ['devices:read', 'rollouts:read', 'artifacts:read', 'models:read'];

const subscribers = new Set();
let controller = null;
let retryDelay = 1000;
let connectedOnce = false;

/**
 * Calls callback(event) for every event whose topic is in topics (e.g. ['rollout', 'action']).
 * Returns the function that unsubscribes; the stream closes when nobody listens.
 */
export function subscribe(topics, callback) {
  const entry = { topics: new Set(topics), callback };
  subscribers.add(entry);
  if (!controller) connect();
  return () => {
    subscribers.delete(entry);
    if (subscribers.size === 0 && controller) { controller.abort(); controller = null; }
  };
}

function deliver(event) {
  for (const { topics, callback } of [...subscribers]) {
    if (event.topic === '*' || topics.has(event.topic)) {
      try { callback(event); } catch (e) { console.warn('live update handler failed', e); }
    }
  }
}

async function connect() {
  controller = new AbortController();
  const mine = controller;
  if (!READ_PERMISSIONS.some(p => session.can(p))) return; // nothing this token may hear
  try {
    const response = await fetch(`${API}/events`, { headers: authHeaders({ Accept: 'text/event-stream' }), signal: mine.signal });
    if (response.status === 401) { session.signOut('Your token is no longer accepted. Sign in again.'); return; }
    // A refusal that waiting will not change (400, 403, 406): stay quiet until every subscriber has gone
    // (the controller stays, so new subscribers do not ask again); anything else (429, 503): retry later.
    if ([400, 403, 406].includes(response.status)) return;
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    retryDelay = 1000;
    if (connectedOnce) deliver({ topic: '*', reconnected: true });
    connectedOnce = true;
    await read(response.body, mine);
  } catch (e) {
    if (mine.signal.aborted) return;
  }
  if (controller === mine && subscribers.size > 0) {
    setTimeout(() => { if (controller === mine) connect(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30_000);
  }
}

/** Parses text/event-stream: blocks separated by a blank line, `data:` lines joined by newlines. */
async function read(body, mine) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  while (!mine.signal.aborted) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const data = block.split(/\r?\n/).filter(line => line.startsWith('data:')).map(line => line.slice(5).trimStart()).join('\n');
      if (!data) continue; // a comment (heartbeat) or an event without data
      try { deliver(JSON.parse(data)); } catch (e) { console.warn('unreadable live event', data); }
    }
  }
}
