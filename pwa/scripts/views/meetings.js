/** The opening meeting (attendance) and the closing one: attendance, findings summary, conclusions,
 * degree per standard, diverging opinions, two drawn signatures. */
import { html, nothing } from "/vendor/lit-html@3.3.3/lit-html.js";
import { VERDICT_ORDER, verdictCounts } from "/scripts/auditLogic.js";
import { N_, _, format, formatDateTime } from "/scripts/i18n.js";
import { auditRecords } from "/scripts/packages.js";
import { blobRecord } from "/scripts/photos.js";
import { attachPad, signatureFile } from "/scripts/signature.js";
import { DEGREES, STANDARDS, VERDICTS, auditTabs, editor, label, localName, recordNotes, thumbnails } from "/scripts/views/common.js";
import { notDownloaded } from "/scripts/views/plan.js";

const SIGNERS = { lead_auditor: N_("Lead auditor"), auditee_representative: N_("Auditee's representative") };
const meeting = editor("meeting");
const conclusion = editor("conclusion");
const signers = {};

// datetime-local is local time without a zone; the record keeps RFC 3339
const localInput = (iso) => new Date(new Date(iso) - new Date(iso).getTimezoneOffset() * 60000).toISOString().slice(0, 16);

function attendance(pkg) {
  const data = meeting.form.data;
  const change = (i, field, value) => { data.attendees[i] = { ...data.attendees[i], [field]: value }; meeting.later(); };
  const addTeam = () => {
    const known = new Set(data.attendees.map((a) => a.personId));
    const people = [...pkg.team.map((m) => [m, m.role === "lead" ? _("Lead auditor") : _("Auditor")]), ...pkg.auditees.map((p) => [p, _("Auditee")])];
    for (const [p, role] of people) if (!known.has(p.personId)) data.attendees.push({ name: localName(p.fullName), role, personId: p.personId, present: true });
    meeting.save();
  };
  const cell = (i, field, text, value) => html`<td><input .value=${value || ""} aria-label=${format(text, { number: i + 1 })}
    @input=${(e) => change(i, field, e.target.value)} @change=${meeting.now}></td>`;
  return html`<fieldset class="attendance"><legend>${_("Attendance")}</legend>
    <table><thead><tr><th scope="col">${_("Name")}</th><th scope="col">${_("Position")}</th><th scope="col">${_("Present")}</th>
      <th scope="col"><span class="visually-hidden">${_("Remove")}</span></th></tr></thead>
    <tbody>${data.attendees.map((a, i) => html`<tr data-testid="attendee">
      ${cell(i, "name", _("Name of attendee %(number)s"), a.name)}${cell(i, "role", _("Position of attendee %(number)s"), a.role)}
      <td><input type="checkbox" .checked=${a.present !== false} aria-label=${format(_("Attendee %(number)s present"), { number: i + 1 })}
        @change=${(e) => { change(i, "present", e.target.checked); meeting.now(); }}></td>
      <td><button type="button" class="small" aria-label=${format(_("Remove attendee %(number)s"), { number: i + 1 })}
        @click=${() => { data.attendees.splice(i, 1); meeting.save(); }}>×</button></td></tr>`)}</tbody></table>
    <button type="button" data-testid="add-attendee" @click=${() => { data.attendees.push({ name: "", role: "", present: true }); meeting.ctx.rerender(); }}>${_("Add an attendee")}</button>
    <button type="button" data-testid="add-team" @click=${addTeam}>${_("Add the audit team and the auditees")}</button>
  </fieldset>`;
}

function meetingForm(data, ctx) {
  meeting.ctx = ctx;
  const held = (e) => {
    if (!e.target.value) return;
    meeting.form.data.heldAt = new Date(e.target.value).toISOString();
    meeting.save();
  };
  return html`<form class="panel" @submit=${(e) => e.preventDefault()} data-testid="meeting-form">${recordNotes(data.meeting)}
    <label>${_("Date and time")}<input type="datetime-local" required .value=${localInput(meeting.form.data.heldAt)} data-testid="meeting-heldAt" @change=${held}></label>
    ${meeting.field("place", _("Place"))}${attendance(data.pkg)}${meeting.field("notes", _("Notes"), { area: true })}
  </form>`;
}

async function loadMeeting(kind, { auditId }) {
  const records = await auditRecords(auditId);
  const record = records.meetings.find((m) => m.data?.kind === kind && !m.deleted);
  meeting.edit(`${auditId}:${kind}`, record, { kind, heldAt: new Date().toISOString(), place: "", attendees: [], notes: "" });
  return { ...records, meeting: record };
}

export const opening = {
  load: (params) => loadMeeting("opening", params),
  view: (data, ctx) => (data.pkg ? html`<h1 tabindex="-1">${_("Opening meeting")}</h1>
    ${auditTabs(ctx.params.auditId, "opening", data.conflicts.length)}${meetingForm(data, ctx)}` : notDownloaded()),
};

function degrees(standards) {
  const data = conclusion.form.data;
  const entry = (standard) => data.degrees.find((d) => d.standard === standard) || { standard, degree: "", comment: "" };
  const change = (standard, field, value) => { data.degrees = [...data.degrees.filter((d) => d.standard !== standard), { ...entry(standard), [field]: value }]; };
  return html`<fieldset><legend>${_("How far each standard's criteria are met")}</legend>${standards.map((s) => html`<div class="degree" data-testid=${`degree-${s}`}>
    <label>${STANDARDS[s]}<select @change=${(e) => { change(s, "degree", e.target.value); conclusion.save(); }}>
      <option value="" ?selected=${!entry(s).degree}>${_("Not assessed yet")}</option>
      ${Object.keys(DEGREES).map((d) => html`<option value=${d} ?selected=${entry(s).degree === d}>${label(DEGREES, d)}</option>`)}</select></label>
    <label>${format(_("Comment on %(standard)s"), { standard: STANDARDS[s] })}<input .value=${entry(s).comment || ""}
      @input=${(e) => { change(s, "comment", e.target.value); conclusion.later(); }} @change=${conclusion.now}></label></div>`)}
  </fieldset>`;
}

async function sign(ctx, role, canvas) {
  const signer = signers[role];
  if (!signer.name.trim()) return ctx.notify(_("Give the signer's name."), true);
  const file = await signatureFile(canvas);
  if (!file) return ctx.notify(_("Draw the signature first."), true);
  const data = conclusion.form.data;
  data.signatures = [...data.signatures.filter((s) => s.role !== role),
    { role, signerName: signer.name.trim(), signerRole: signer.position.trim(), signedAt: file.capturedAt, attachment: file.sha256 }];
  await conclusion.save([blobRecord(file, ctx.params.auditId)]);
}

function signature(ctx, role, defaults) {
  const data = conclusion.form.data;
  const signed = data.signatures.find((s) => s.role === role);
  const signer = (signers[role] ??= { name: defaults.name || "", position: defaults.position || "" });
  const canvas = (e) => e.target.parentElement.querySelector("canvas");
  return html`<div class="signature" data-testid=${`signature-${role}`}><h3>${label(SIGNERS, role)}</h3>${signed ? html`
    ${thumbnails([signed.attachment])}
    <p>${format(_("Signed by %(name)s (%(position)s), %(time)s"), { name: signed.signerName, position: signed.signerRole || label(SIGNERS, role), time: formatDateTime(signed.signedAt) })}</p>
    <button type="button" @click=${() => { data.signatures = data.signatures.filter((s) => s.role !== role); conclusion.save(); }}>${_("Sign again")}</button>` : html`
    <label>${_("Signer's name")}<input .value=${signer.name} @input=${(e) => { signer.name = e.target.value; }} data-testid=${`signer-name-${role}`}></label>
    <label>${_("Signer's position")}<input .value=${signer.position} @input=${(e) => { signer.position = e.target.value; }}></label>
    <canvas class="pad" role="img" aria-label=${format(_("Signature area: %(signer)s"), { signer: label(SIGNERS, role) })}></canvas>
    <button type="button" @click=${(e) => attachPad(canvas(e)).clear()}>${_("Clear the drawing")}</button>
    <button type="button" class="primary" data-testid=${`save-signature-${role}`} @click=${(e) => sign(ctx, role, canvas(e))}>${_("Save the signature")}</button>`}
  </div>`;
}

export const closing = {
  async load(params) {
    const data = await loadMeeting("closing", params);
    conclusion.edit(params.auditId, data.conclusion, { summary: "", conclusions: "", degrees: [], divergingOpinions: "", signatures: [] });
    return data;
  },
  view(data, ctx) {
    if (!data.pkg) return notDownloaded();
    conclusion.ctx = ctx;
    const { pkg } = data;
    const counts = verdictCounts(data.findings);
    const summary = () => {
      conclusion.form.data.summary = VERDICT_ORDER.filter((v) => counts[v]).map((v) => `${label(VERDICTS, v)}: ${counts[v]}`).join("\n");
      conclusion.save();
    };
    const lead = pkg.team.find((m) => m.role === "lead");
    return html`<h1 tabindex="-1">${_("Closing meeting")}</h1>
      ${auditTabs(ctx.params.auditId, "closing", data.conflicts.length)}${meetingForm(data, ctx)}
      <form class="panel" @submit=${(e) => e.preventDefault()} data-testid="conclusion-form"><h2>${_("Conclusions")}</h2>
        ${recordNotes(data.conclusion)}
        <table class="summary" data-testid="findings-summary"><caption>${_("Findings summary")}</caption>
          <tbody>${VERDICT_ORDER.map((v) => html`<tr><th scope="row">${label(VERDICTS, v)}</th><td>${counts[v]}</td></tr>`)}</tbody></table>
        <button type="button" @click=${summary}>${_("Write the summary from the findings")}</button>
        ${conclusion.field("summary", _("Findings summary"), { area: true })}
        ${conclusion.field("conclusions", _("The lead auditor's conclusions"), { area: true })}
        ${degrees(pkg.audit.standards)}
        ${conclusion.field("divergingOpinions", _("Diverging opinions"), { area: true })}
        <h2>${_("Signatures")}</h2>
        ${signature(ctx, "lead_auditor", { name: lead && localName(lead.fullName), position: _("Lead auditor") })}
        ${signature(ctx, "auditee_representative", { name: pkg.auditees[0] && localName(pkg.auditees[0].fullName) })}
      </form>`;
  },
  after: (root) => root.querySelectorAll("canvas.pad").forEach(attachPad),
};
