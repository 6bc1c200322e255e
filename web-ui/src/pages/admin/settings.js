// Tenant settings (keys:read to see, keys:update to change): the devices' polling interval, the largest
// upload, and the tenant's DDI gateway token (shown once when issued).
import { html, render, nothing } from '../../lib/vendor.js';
import { api } from '../../lib/api.js';
import { session } from '../../lib/session.js';
import { errorView, confirm, toast, badge } from '../../lib/ui.js';
import { bytes } from '../../lib/format.js';
import { subnav, copyText } from './common.js';

export default function mount(el, ctx) {
  const signal = new AbortController();
  const opts = { signal: signal.signal };
  const state = { settings: null, error: null, formError: null, busy: false, gatewayToken: null, gatewayError: null, copied: false };

  async function load() {
    try {
      state.settings = await api.get('/settings', undefined, opts);
      state.error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.error = e;
    }
    draw();
  }

  const save = async event => {
    event.preventDefault();
    const form = event.target;
    const minutes = form.polling.value.trim();
    const mib = form.maxUpload.value.trim();
    const patch = {
      pollingInterval: minutes ? `PT${Math.max(1, Math.round(Number(minutes) * 60))}S` : null,
      maxUploadBytes: mib ? Math.round(Number(mib) * 1024 * 1024) : null,
    };
    state.busy = true; state.formError = null; draw();
    try {
      state.settings = await api.patch('/settings', patch, opts);
      toast('Settings saved');
    } catch (e) {
      if (e.name !== 'AbortError') state.formError = e;
    }
    state.busy = false;
    draw();
  };

  const rotate = async () => {
    const configured = state.settings?.gatewayToken?.configured;
    const ok = await confirm({
      title: configured ? 'Issue a new gateway token?' : 'Issue a gateway token?',
      body: html`<p>A gateway token lets any device of this tenant authenticate (<code>GatewayToken</code>).
        ${configured ? html`<strong>The current one stops working at once.</strong>` : nothing}</p>`,
      confirmLabel: 'Issue gateway token', danger: Boolean(configured),
    });
    if (!ok) return;
    state.gatewayError = null;
    try {
      const view = await api.post('/settings/gateway-token', undefined, opts);
      state.gatewayToken = view.gatewayToken?.token || null;
      state.settings = view;
      state.copied = false;
    } catch (e) {
      if (e.name !== 'AbortError') state.gatewayError = e;
    }
    draw();
  };

  const removeGateway = async () => {
    const ok = await confirm({ title: 'Remove the gateway token?', body: html`<p>Devices that authenticate with it are refused
      from now on; devices with their own tokens are not affected.</p>`, confirmLabel: 'Remove gateway token', danger: true });
    if (!ok) return;
    try {
      await api.del('/settings/gateway-token', opts);
      state.gatewayToken = null;
      toast('Gateway token removed');
      await load();
    } catch (e) {
      if (e.name !== 'AbortError') { state.gatewayError = e; draw(); }
    }
  };

  const minutesOf = iso => {
    const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$/.exec(iso || '');
    if (!m) return '';
    const minutes = Number(m[1] || 0) * 1440 + Number(m[2] || 0) * 60 + Number(m[3] || 0) + Number(m[4] || 0) / 60;
    return String(Math.round(minutes * 100) / 100);
  };

  const draw = () => {
    if (signal.signal.aborted) return; // the page was left: what finishes late draws nothing
    const s = state.settings;
    const canChange = session.can('keys:update');
    render(html`
      <h1>Tenant settings</h1>
      ${subnav('/admin/settings')}
      ${errorView(state.error)}
      ${s ? html`
        <p>Tenant <strong>${s.name}</strong> (<code>${s.tenant}</code>). An empty value means the server's configuration applies.</p>
        <form class="form-panel" @submit=${save} novalidate>
          <h2>Devices and uploads</h2>
          <div class="form-row">
            <div><label for="settings-polling">Polling interval, minutes <span class="optional">(optional)</span></label>
              <input id="settings-polling" name="polling" type="number" min="0.02" max="1440" step="any"
                     .value=${minutesOf(s.pollingInterval)} ?disabled=${!canChange} aria-describedby="settings-polling-help"
                     aria-invalid=${state.formError?.field === 'pollingInterval' ? 'true' : 'false'}>
              <p id="settings-polling-help" class="help">How long devices wait between polls (1 second to 1 day).
                Now: ${s.pollingInterval ? html`<code>${s.pollingInterval}</code>` : 'the server\'s default'}.</p></div>
            <div><label for="settings-upload">Largest upload, MiB <span class="optional">(optional)</span></label>
              <input id="settings-upload" name="maxUpload" type="number" min="1" step="any"
                     .value=${s.maxUploadBytes ? String(s.maxUploadBytes / 1024 / 1024) : ''} ?disabled=${!canChange}
                     aria-describedby="settings-upload-help" aria-invalid=${state.formError?.field === 'maxUploadBytes' ? 'true' : 'false'}>
              <p id="settings-upload-help" class="help">Can lower the server's limit, never raise it.
                Now: ${s.maxUploadBytes ? bytes(s.maxUploadBytes) : 'the server\'s limit'}.</p></div>
          </div>
          ${errorView(state.formError)}
          ${canChange ? html`<div class="actions"><button class="primary" type="submit" ?disabled=${state.busy}>${state.busy ? 'Saving…' : 'Save settings'}</button></div>` : nothing}
        </form>
        <h2>DDI gateway token</h2>
        <p>${s.gatewayToken?.configured ? html`${badge('configured')} hint <code>${s.gatewayToken.hint}…</code>` : html`<span class="badge neutral">none</span>`}</p>
        ${state.gatewayToken ? html`<div class="notice ok"><p><strong>Copy the gateway token now: it is shown only this once.</strong></p>
          <div class="secret"><code data-testid="gateway-token">${state.gatewayToken}</code>
            <button type="button" class="primary" @click=${async () => { state.copied = await copyText(state.gatewayToken); draw(); }}>${state.copied ? 'Copied' : 'Copy token'}</button></div></div>` : nothing}
        ${errorView(state.gatewayError)}
        ${canChange ? html`<div class="actions">
          <button type="button" @click=${rotate}>${s.gatewayToken?.configured ? 'Issue a new gateway token' : 'Issue a gateway token'}</button>
          ${s.gatewayToken?.configured ? html`<button type="button" @click=${removeGateway}>Remove gateway token</button>` : nothing}</div>` : nothing}
      ` : nothing}`, el);
  };

  render(html`<h1>Tenant settings</h1>${subnav('/admin/settings')}<p class="loading" role="status">Loading…</p>`, el);
  load().then(() => ctx.ready());
  return () => signal.abort();
}
