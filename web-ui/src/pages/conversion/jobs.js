// #/conversion/jobs?model=&version=&status=&profile=&page=: conversion jobs, filtered and paged on
// the server, with live status (re-read on `job` events).
import { html, render, nothing, live } from '../../lib/vendor.js';
import { api } from '../../lib/api.js';
import { errorView, pager, badge } from '../../lib/ui.js';
import { dateTime, relative } from '../../lib/format.js';
import { href } from '../../lib/router.js';
import { liveReload } from '../../lib/live.js';
import { JOB_STATES, subnav } from './common.js';

const SIZE = 50;

export default function mount(el, ctx) {
  const filters = {
    model: ctx.query.get('model') || '', version: ctx.query.get('version') || '',
    status: ctx.query.get('status') || '', profile: ctx.query.get('profile') || '',
  };
  const page = Number(ctx.query.get('page') || 0);
  const form = { ...filters };
  let result = null;
  let error = null;
  let readyOnce = false;
  let controller = null;

  async function load() {
    controller?.abort();
    controller = new AbortController();
    try {
      result = await api.get('/conversion/jobs', { ...filters, page, size: SIZE }, { signal: controller.signal });
      error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      error = e;
    }
    draw();
    if (!readyOnce) { readyOnce = true; ctx.ready(); }
  }

  const apply = changes => ctx.navigate('/conversion/jobs', { ...form, ...changes });

  function input(key, label) {
    return html`<div class="field"><label for="job-${key}">${label}</label>
      <input id="job-${key}" .value=${live(form[key])} @input=${e => { form[key] = e.target.value.trim(); }}></div>`;
  }

  function draw() {
    render(html`
      <h1>Conversion jobs</h1>
      ${subnav('jobs')}
      <form class="filters row" @submit=${e => { e.preventDefault(); apply({}); }}>
        ${input('model', 'Model')}
        ${input('version', 'Version')}
        ${input('profile', 'Profile')}
        <div class="field"><label for="job-status">Status</label>
          <select id="job-status" @change=${e => { form.status = e.target.value; apply({}); }}>
            <option value="" ?selected=${!filters.status}>Any status</option>
            ${JOB_STATES.map(s => html`<option ?selected=${s === filters.status}>${s}</option>`)}
          </select></div>
        <div class="field"><button type="submit">Apply filters</button></div>
      </form>
      ${errorView(error)}
      ${!result ? (error ? nothing : html`<p class="loading">Loading jobs…</p>`) : result.total === 0
        ? html`<p>No conversion jobs${Object.values(filters).some(Boolean) ? ' match these filters' : ' yet: publishing a version runs every enabled profile'}.</p>`
        : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">Job</th><th scope="col">Model and version</th><th scope="col">Profile</th><th scope="col">Status</th>
            <th scope="col">Attempts</th><th scope="col">Result or error</th><th scope="col">Updated</th></tr></thead>
          <tbody>${result.items.map(j => html`<tr>
            <td><a href=${href(`/conversion/jobs/${j.id}`)}>Job ${j.id}</a></td>
            <td>${j.model} <span class="mono">${j.version}</span></td>
            <td>${j.profile || html`<span class="help">ad hoc</span>`}</td>
            <td>${badge(j.status)}${j.cancelRequested && !['cancelled', 'failed', 'succeeded'].includes(j.status) ? html` <span class="help">cancel requested</span>` : nothing}</td>
            <td>${j.attempts} of ${j.maxAttempts}</td>
            <td class="wrap">${j.error ? html`<span class="error">${j.error}</span>` : j.filename ? html`<span class="mono">${j.filename}</span>` : '—'}</td>
            <td title=${dateTime(j.updatedAt)}>${relative(j.updatedAt)}</td></tr>`)}</tbody>
        </table></div>
        ${pager(result, p => apply({ page: p || '' }), 'Job pages')}`}
    `, el);
  }

  draw();
  load();
  const stop = liveReload(['job'], () => true, load);
  return () => { stop(); controller?.abort(); };
}
