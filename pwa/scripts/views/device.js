/** This tablet; sign-out and clearing refused while work would be lost. */
import { describe } from "../api.js";
import { deviceId, getMeta } from "../db.js";
import { _, format, formatBytes } from "../i18n.js";
import { exportOutbox, localWork } from "../outbox.js";
import { dots, facts, html, saveFile, when } from "./common.js";

let refusal = "";

export const load = async () => ({
  work: await localWork(), device: await deviceId(), persisted: await getMeta("persisted"),
  lastSync: await getMeta("lastSync"), estimate: await navigator.storage?.estimate?.(),
});

const lossReason = (work) => dots([
  [work.pending, _("changes waiting to be sent: %(count)s")], [work.drafts, _("drafts not finished: %(count)s")],
  [work.rejected, _("changes refused by the server: %(count)s")], [work.conflicts, _("conflicts to resolve: %(count)s")],
].filter(([count]) => count).map(([count, text]) => format(text, { count })));

async function download(ctx) {
  try {
    const file = await exportOutbox(ctx.session.user.username);
    saveFile(file.blob, file.filename);
    ctx.notify(_("Exported %(count)s changes to %(file)s.", { count: file.count, file: file.filename }));
  } catch (error) {
    ctx.notify(describe(error), true);
  }
  ctx.reload();
}

async function unlessLoss(ctx, action) {
  const reasons = lossReason(await localWork());
  refusal = reasons && _("Not now: this tablet holds work the server does not have (%(reasons)s). Sync it, or export it first.", { reasons });
  return reasons ? ctx.rerender() : action();
}

export function view({ estimate, ...data }, ctx) {
  const rows = [
    [_("Signed in as"), html`<span data-testid="username">${ctx.session.user.username}</span>`], [_("Device"), html`<code>${data.device}</code>`],
    [_("Ready to work offline"), ctx.offlineReadyNow() ? _("Yes") : _("Not yet")],
    [_("Storage kept for good"), data.persisted ? _("Granted") : _("Not granted: the browser may clear this data when space runs short. Sync often.")],
    [_("Space used"), estimate ? _("%(used)s of %(quota)s", { used: formatBytes(estimate.usage), quota: formatBytes(estimate.quota) }) : _("Unknown")],
    [_("Last successful sync"), when(data.lastSync)],
    [_("Not yet on the server"), lossReason(data.work) || _("Nothing: the server has everything.")],
  ];
  return html`<h1>${_("This tablet")}</h1><section class="panel">${facts(rows)}</section>
    <section class="panel"><h2>${_("Before wiping this tablet")}</h2>
      <p>${_("Export saves the changes not yet sent, with their photos and signatures, to a file. The audit lead imports it on the server; importing it twice applies it once.")}</p>
      <button class="primary" data-testid="export-outbox" ?disabled=${!data.work.pending} @click=${() => download(ctx)}>${_("Export unsynced work")}</button>
    </section>
    <section class="panel">${refusal ? html`<p class="note error" role="alert" data-testid="refusal">${refusal}</p>` : ""}
      <button data-testid="sign-out" @click=${() => unlessLoss(ctx, ctx.signOut)}>${_("Sign out")}</button>
      <button class="danger" data-testid="clear-data" @click=${() => unlessLoss(ctx, ctx.clearData)}>${_("Clear the data on this tablet")}</button>
    </section>`;
}
