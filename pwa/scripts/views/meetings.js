/** The opening and closing meetings, with the conclusions and two drawn signatures. */
import { VERDICT_ORDER, verdictCounts } from "../auditLogic.js";
import { N_, _, format, formatDateTime, localIso } from "../i18n.js";
import { auditRecords } from "../packages.js";
import { attachPad, blobRecord, signatureFile } from "../photos.js";
import { DEGREES, STANDARDS, VERDICTS, auditView, editor, html, label, localName, options, heads, recordNotes, roleName, thumbnails } from "./common.js";

const SIGNERS = { lead_auditor: N_("Lead auditor"), auditee_representative: N_("Auditee's representative") };
const meeting = editor("meeting");
const conclusion = editor("conclusion");
const signers = {};
const value = (e) => e.target.value;

function attendance(pkg) {
  const { attendees } = meeting.form.data;
  const change = (i, field, v) => { attendees[i] = { ...attendees[i], [field]: v }; meeting.later(); };
  const addTeam = () => {
    const known = new Set(attendees.map((a) => a.personId));
    const people = [...pkg.team.map((m) => [m, roleName(m)]), ...pkg.auditees.map((p) => [p, _("Auditee")])];
    for (const [p, role] of people) if (!known.has(p.personId)) attendees.push({ name: localName(p.fullName), role, personId: p.personId, present: true });
    meeting.save();
  };
  const cell = (i, field, text) => html`<td><input .value=${attendees[i][field] || ""} aria-label=${format(text, { number: i + 1 })}
    @input=${(e) => change(i, field, value(e))} @change=${meeting.now}></td>`;
  const remove = html`<span class="visually-hidden">${_("Remove")}</span>`;
  return html`<fieldset class="attendance"><legend>${_("Attendance")}</legend>
    <table>${heads(_("Name"), _("Position"), _("Present"), remove)}
    <tbody>${attendees.map((a, i) => html`<tr data-testid="attendee">${cell(i, "name", _("Name of attendee %(number)s"))}
      ${cell(i, "role", _("Position of attendee %(number)s"))}
      <td><input type="checkbox" .checked=${a.present !== false} aria-label=${_("Attendee %(number)s present", { number: i + 1 })}
        @change=${(e) => { change(i, "present", e.target.checked); meeting.now(); }}></td>
      <td><button class="small" aria-label=${_("Remove attendee %(number)s", { number: i + 1 })}
        @click=${() => { attendees.splice(i, 1); meeting.save(); }}>×</button></td></tr>`)}</tbody></table>
    <button @click=${() => { attendees.push({ name: "", role: "", present: true }); meeting.ctx.rerender(); }}>${_("Add an attendee")}</button>
    <button data-testid="add-team" @click=${addTeam}>${_("Add the audit team and the auditees")}</button></fieldset>`;
}

function meetingForm(data, ctx) {
  meeting.ctx = ctx;
  const held = (e) => { if (value(e)) { meeting.form.data.heldAt = new Date(value(e)).toISOString(); meeting.save(); } };
  return html`<div class="panel">${recordNotes(data.meeting)}
    <label>${_("Date and time")}<input type="datetime-local" required .value=${localIso(new Date(meeting.form.data.heldAt)).slice(0, 16)} @change=${held}></label>
    ${meeting.field("place", { area: false })}${attendance(data.pkg)}${meeting.field("notes")}</div>`;
}

async function loadMeeting(kind, { auditId }) {
  const records = await auditRecords(auditId);
  const record = records.meetings.find((m) => m.data?.kind === kind && !m.deleted);
  meeting.edit(`${auditId}:${kind}`, record, { kind, heldAt: new Date().toISOString(), place: "", attendees: [], notes: "" });
  return { ...records, meeting: record };
}

export const opening = { load: (params) => loadMeeting("opening", params), view: auditView("opening", () => _("Opening meeting"), meetingForm) };

function degrees(standards) {
  const { data } = conclusion.form;
  const entry = (standard) => data.degrees.find((d) => d.standard === standard) || { standard, degree: "", comment: "" };
  const change = (standard, field, v) => { data.degrees = [...data.degrees.filter((d) => d.standard !== standard), { ...entry(standard), [field]: v }]; };
  return html`<fieldset><legend>${_("How far each standard's criteria are met")}</legend>${standards.map((s) => html`<div class="degree" data-testid=${`degree-${s}`}>
    <label>${STANDARDS[s]}<select @change=${(e) => { change(s, "degree", value(e)); conclusion.save(); }}>${options([["", _("Not assessed yet")],
      ...Object.keys(DEGREES).map((d) => [d, label(DEGREES, d)])], entry(s).degree)}</select></label>
    <label>${_("Comment on %(standard)s", { standard: STANDARDS[s] })}<input .value=${entry(s).comment || ""}
      @input=${(e) => { change(s, "comment", value(e)); conclusion.later(); }} @change=${conclusion.now}></label></div>`)}</fieldset>`;
}

async function sign(ctx, role, canvas) {
  const name = signers[role].name.trim();
  if (!name) return ctx.notify(_("Give the signer's name."), true);
  const file = await signatureFile(canvas);
  if (!file) return ctx.notify(_("Draw the signature first."), true);
  const { data } = conclusion.form;
  data.signatures = [...data.signatures.filter((s) => s.role !== role),
    { role, signerName: name, signerRole: signers[role].position.trim(), signedAt: file.capturedAt, attachment: file.sha256 }];
  await conclusion.save([blobRecord(file, ctx.params.auditId)]);
}

function signature(ctx, role, name, position = "") {
  const { data } = conclusion.form;
  const signed = data.signatures.find((s) => s.role === role);
  const signer = (signers[role] ??= { name: name || "", position });
  const who = label(SIGNERS, role);
  const canvas = (e) => e.target.parentElement.querySelector("canvas");
  return html`<div class="signature" data-testid=${`signature-${role}`}><h3>${who}</h3>${signed ? html`${thumbnails([signed.attachment])}
    <p>${_("Signed by %(name)s (%(position)s), %(time)s", { name: signed.signerName, position: signed.signerRole || who, time: formatDateTime(signed.signedAt) })}</p>
    <button @click=${() => { data.signatures = data.signatures.filter((s) => s !== signed); conclusion.save(); }}>${_("Sign again")}</button>` : html`
    <label>${_("Signer's name")}<input .value=${signer.name} @input=${(e) => { signer.name = value(e); }} data-testid=${`signer-name-${role}`}></label>
    <label>${_("Signer's position")}<input .value=${signer.position} @input=${(e) => { signer.position = value(e); }}></label>
    <canvas class="pad" role="img" aria-label=${_("Signature area: %(signer)s", { signer: who })}></canvas>
    <button @click=${(e) => attachPad(canvas(e)).clear()}>${_("Clear the drawing")}</button>
    <button class="primary" data-testid=${`save-signature-${role}`} @click=${(e) => sign(ctx, role, canvas(e))}>${_("Save the signature")}</button>
    ${role === "auditee_representative" ? conclusion.field("auditeeUnsignedReason") : ""}`}</div>`;
}

export const closing = {
  async load(params) {
    const data = await loadMeeting("closing", params);
    conclusion.edit(params.auditId, data.conclusion, { degrees: [], signatures: [] });
    return data;
  },
  view: auditView("closing", () => _("Closing meeting"), (data, ctx) => {
    conclusion.ctx = ctx;
    const { pkg } = data;
    const counts = verdictCounts(data.findings);
    const summary = () => {
      conclusion.form.data.summary = VERDICT_ORDER.filter((v) => counts[v]).map((v) => `${label(VERDICTS, v)}: ${counts[v]}`).join("\n");
      conclusion.save();
    };
    const lead = pkg.team.find((m) => m.role === "lead");
    return html`${meetingForm(data, ctx)}<section class="panel"><h2>${_("Conclusions")}</h2>${recordNotes(data.conclusion)}
      <table class="summary"><caption>${_("Findings summary")}</caption>
        <tbody>${VERDICT_ORDER.map((v) => html`<tr><th scope="row">${label(VERDICTS, v)}</th><td>${counts[v]}</td></tr>`)}</tbody></table>
      <button @click=${summary}>${_("Write the summary from the findings")}</button>
      ${["summary", "conclusions"].map((f) => conclusion.field(f))}${degrees(pkg.audit.standards)}${conclusion.field("divergingOpinions")}
      <h2>${_("Signatures")}</h2>${signature(ctx, "lead_auditor", lead && localName(lead.fullName), _("Lead auditor"))}
      ${signature(ctx, "auditee_representative", pkg.auditees[0] && localName(pkg.auditees[0].fullName))}</section>`;
  }),
  after: (root) => root.querySelectorAll("canvas.pad").forEach(attachPad),
};
