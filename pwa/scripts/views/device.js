/** This tablet: storage, offline readiness, export; sign-out and clearing refused while work would be lost. */
import { html, nothing } from "/vendor/lit-html@3.3.3/lit-html.js";
import { describe } from "/scripts/api.js";
import { deviceId, getMeta } from "/scripts/db.js";
import { _, format, formatBytes } from "/scripts/i18n.js";
import { exportOutbox, localWork } from "/scripts/outbox.js";
import { when } from "/scripts/views/common.js";

let refusal = "";

export const load = async () => ({
  work: await localWork(), device: await deviceId(), persisted: await getMeta("persisted"),
  lastSync: await getMeta("lastSync"), estimate: await navigator.storage?.estimate?.(),
});

export function lossReason(work) {
  return [
    [work.pending, _("changes waiting to be sent: %(count)s")], [work.drafts, _("drafts not finished: %(count)s")],
    [work.rejected, _("changes refused by the server: %(count)s")], [work.conflicts, _("conflicts to resolve: %(count)s")],
  ].filter(([count]) => count).map(([count, text]) => format(text, { count })).join(" · ");
}

async function download(ctx) {
  try {
    const file = await exportOutbox(ctx.session.user.username);
    const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(file.blob), download: file.filename });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    ctx.notify(format(_("Exported %(count)s changes to %(file)s."), { count: file.count, file: file.filename }));
  } catch (error) {
    ctx.notify(describe(error), true);
  }
  ctx.reload();
}

async function unlessLoss(ctx, action) {
  const reason = lossReason(await localWork());
  refusal = reason && format(_("Not now: this tablet holds work the server does not have (%(reasons)s). Sync it, or export it first."), { reasons: reason });
  return reason ? ctx.rerender() : action();
}

export function view(data, ctx) {
  const { estimate } = data;
  return html`<h1 tabindex="-1">${_("This tablet")}</h1>
    <section class="panel"><dl class="facts">
      <dt>${_("Signed in as")}</dt><dd data-testid="username">${ctx.session.user.username}</dd>
      <dt>${_("Device")}</dt><dd><code>${data.device}</code></dd>
      <dt>${_("Ready to work offline")}</dt><dd data-testid="offline-ready">${ctx.offlineReadyNow() ? _("Yes") : _("Not yet")}</dd>
      <dt>${_("Storage kept for good")}</dt><dd data-testid="persisted">${data.persisted ? _("Granted")
        : _("Not granted: the browser may clear this data when space runs short. Sync often.")}</dd>
      <dt>${_("Space used")}</dt><dd>${estimate ? format(_("%(used)s of %(quota)s"), { used: formatBytes(estimate.usage), quota: formatBytes(estimate.quota) }) : _("Unknown")}</dd>
      <dt>${_("Last successful sync")}</dt><dd>${when(data.lastSync)}</dd>
      <dt>${_("Not yet on the server")}</dt><dd>${lossReason(data.work) || _("Nothing: the server has everything.")}</dd>
    </dl></section>
    <section class="panel"><h2>${_("Before wiping this tablet")}</h2>
      <p>${_("Export saves the changes not yet sent, with their photos and signatures, to a file. The audit lead imports it on the server; importing it twice applies it once.")}</p>
      <button type="button" class="primary" data-testid="export-outbox" ?disabled=${!data.work.pending} @click=${() => download(ctx)}>${_("Export unsynced work")}</button>
    </section>
    <section class="panel">${refusal ? html`<p class="note error" role="alert" data-testid="refusal">${refusal}</p>` : nothing}
      <button type="button" data-testid="sign-out" @click=${() => unlessLoss(ctx, ctx.signOut)}>${_("Sign out")}</button>
      <button type="button" class="danger" data-testid="clear-data" @click=${() => unlessLoss(ctx, ctx.clearData)}>${_("Clear the data on this tablet")}</button>
    </section>`;
}
