// Live updates: one server-sent-event stream (GET /api/v1/events) shared by every page. It is read
// with fetch, not EventSource, so the token travels in the Authorization header and never in a URL.
// Events are hints ({topic, id, ...}: "rollout 12 changed"); a page re-reads what it shows.
// After the stream dropped and came back every subscriber gets {topic: '*', reconnected: true}:
// events may have been missed, so re-read everything. Pages use liveReload(), below.
import { authHeaders, API } from './api.js';
import { session } from './session.js';

// The stream needs one of these; without any, it would answer 403, so the console does not ask.
const READ_PERMISSIONS = ['devices:read', 'rollouts:read', 'artifacts:read', 'models:read'];

const subscribers = new Set();
const stateListeners = new Set();
let controller = null;
let retryDelay = 1000;
let connected = false;
let dropped = false;      // the stream ended without being asked to: the next connect says 'reconnected'
let closeTimer = null;
/** How long the stream stays open after the last subscriber left: moving between pages keeps it. */
const LINGER_MS = 10_000;

/** True while the stream is open; pages poll only while it is not (see liveReload's fallbackEvery). */
export function isLive() { return connected; }

function setConnected(value) {
  if (connected === value) return;
  connected = value;
  for (const listener of [...stateListeners]) listener(value);
}

/**
 * Calls callback(event) for every event whose topic is in topics (e.g. ['rollout', 'action']).
 * Returns the function that unsubscribes; the stream closes a while after nobody listens.
 */
export function subscribe(topics, callback) {
  const entry = { topics: new Set(topics), callback };
  subscribers.add(entry);
  if (closeTimer) { clearTimeout(closeTimer); closeTimer = null; }
  if (!controller) connect();
  return () => {
    subscribers.delete(entry);
    if (subscribers.size === 0 && controller && !closeTimer) {
      closeTimer = setTimeout(() => {
        closeTimer = null;
        if (subscribers.size === 0 && controller) { controller.abort(); controller = null; setConnected(false); }
      }, LINGER_MS);
    }
  };
}

/**
 * The one way a page follows live events: re-reads with reload() when an event concerns it
 * (accept(event) is true; a reconnect always is), at most once per minInterval ms whatever the
 * number of events (events are hints, not data). With fallbackEvery (ms), it also re-reads that often
 * while the stream is down or refused, so a page stays current without it, and never polls while
 * the stream is up. Returns the function that stops it.
 */
export function liveReload(topics, accept, reload, { minInterval = 500, fallbackEvery = null } = {}) {
  let timer = null;
  let last = 0;
  let poll = null;
  const run = () => { timer = null; last = Date.now(); reload(); };
  const schedule = () => { if (!timer) timer = setTimeout(run, Math.max(0, minInterval - (Date.now() - last))); };
  const unsubscribe = subscribe(topics, event => {
    if (event.topic === '*' || accept(event)) schedule();
  });
  const follow = live => {
    if (poll) { clearInterval(poll); poll = null; }
    if (!live && fallbackEvery) poll = setInterval(schedule, fallbackEvery);
  };
  stateListeners.add(follow);
  follow(connected);
  return () => {
    unsubscribe();
    stateListeners.delete(follow);
    if (timer) clearTimeout(timer);
    if (poll) clearInterval(poll);
  };
}

function deliver(event) {
  for (const { topics, callback } of [...subscribers]) {
    if (event.topic === '*' || topics.has(event.topic)) {
      try { callback(event); } catch (e) { console.error('live update handler failed', e); }
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
    setConnected(true);
    if (dropped) deliver({ topic: '*', reconnected: true });
    dropped = false;
    await read(response.body, mine);
  } catch (e) {
    if (mine.signal.aborted) return;
  }
  setConnected(false);
  if (controller === mine && subscribers.size > 0) {
    dropped = true;
    setTimeout(() => { if (controller === mine) connect(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30_000);
  } else if (controller === mine) {
    controller = null;
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
      let event;
      try { event = JSON.parse(data); } catch (e) { console.error('unreadable live event', data); continue; }
      deliver(event);
    }
  }
}
