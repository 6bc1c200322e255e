// #/rollouts?state=&page=: every rollout of the tenant, newest first, paged on the server, live.
import { html, render, nothing } from '../../lib/vendor.js';
import { api } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, pager, progressBar, badge } from '../../lib/ui.js';
import { dateTime } from '../../lib/format.js';
import { href } from '../../lib/router.js';
import { liveReload } from '../../lib/live.js';
import { ROLLOUT_STATES, doneOf } from './common.js';

const SIZE = 25;

export default function mount(el, ctx) {
  const state = ctx.query.get('state') || '';
  const page = Number(ctx.query.get('page') || 0);
  let result = null;
  let error = null;
  let controller = null;
  let readyOnce = false;

  const go = changes => ctx.navigate('/rollouts', { state, page: page || '', ...changes }, { replace: false });

  async function load() {
    controller?.abort();
    controller = new AbortController();
    try {
      result = await api.get('/rollouts', { state, page, size: SIZE }, { signal: controller.signal });
      error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      error = e;
    }
    draw();
    if (!readyOnce) { readyOnce = true; ctx.ready(); }
  }

  function draw() {
    render(html`
      <div class="page-head">
        <h1>Rollouts</h1>
        ${session.can('rollouts:create') ? html`<a class="button primary" href="#/rollouts/new">New rollout</a>` : nothing}
      </div>
      <form class="filters" @submit=${e => e.preventDefault()}>
        <label for="rollout-state">State</label>
        <select id="rollout-state" @change=${e => go({ state: e.target.value, page: '' })}>
          <option value="" ?selected=${!state}>Any state</option>
          ${ROLLOUT_STATES.map(s => html`<option value=${s} ?selected=${s === state}>${s}</option>`)}
        </select>
      </form>
      ${errorView(error)}
      ${result ? table() : (error ? nothing : html`<p class="loading">Loading rollouts…</p>`)}
    `, el);
  }

  function table() {
    if (result.total === 0) {
      return html`<p>${state ? `No rollout is ${state}.` : 'No rollouts yet.'}
        ${session.can('rollouts:create') && !state ? html`<a href="#/rollouts/new">Create the first one</a>: a version for the devices a filter matches, in phases.` : nothing}</p>`;
    }
    return html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Rollouts${state ? ` in state ${state}` : ''}</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Model and version</th><th scope="col">State</th>
        <th scope="col">Phase</th><th scope="col">Progress</th><th scope="col">Failures</th><th scope="col">Created</th></tr></thead>
      <tbody>${result.items.map(r => {
        const { done, total } = doneOf(r.counts);
        const burn = r.failureBudget?.burnPct;
        return html`<tr>
          <td><a href=${href(`/rollouts/${r.id}`)}>${r.name}</a></td>
          <td>${r.model} <span class="mono">${r.version}</span>${r.requested && r.requested !== r.version ? html` <span class="help">(${r.requested})</span>` : nothing}</td>
          <td>${badge(r.state)}${r.stateReason ? html`<div class="help">${r.stateReason}</div>` : nothing}</td>
          <td>${r.phases?.length ? `${Math.min(r.currentPhase + 1, r.phases.length)} of ${r.phases.length}` : '—'}</td>
          <td>${progressBar(done, Math.max(total, r.totalDevices || 0), `Progress of ${r.name}`)}
            <span class="help">${done.toLocaleString()} of ${(Math.max(total, r.totalDevices || 0)).toLocaleString()} devices done</span></td>
          <td>${r.counts?.failed ?? 0}${burn !== undefined && burn !== null ? html`<div class="help">budget ${burn.toFixed(0)} % used</div>` : nothing}</td>
          <td>${dateTime(r.createdAt)}</td>
        </tr>`;
      })}</tbody>
    </table></div>
    ${pager(result, p => go({ page: p || '' }), 'Rollout pages')}`;
  }

  draw();
  load();
  const stop = liveReload(['rollout'], () => true, load);
  return () => { stop(); controller?.abort(); };
}
