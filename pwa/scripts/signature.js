/** Drawn signatures: signature_pad on a canvas, exported as a PNG named by its SHA-256. */
import SignaturePad from "/vendor/signature_pad@5.1.4/dist/signature_pad.min.js";
import { sha256Hex } from "/scripts/photos.js";

/** The pad of a canvas, made once and sized for the screen's pixel density. */
export function attachPad(canvas) {
  if (!canvas.pad) {
    const ratio = Math.max(devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    canvas.pad = new SignaturePad(canvas, { backgroundColor: "rgb(255, 255, 255)", penColor: "rgb(0, 0, 80)" });
  }
  return canvas.pad;
}

/** The signature as `{sha256, blob, type, capturedAt}`, or null when nothing was drawn. */
export async function signatureFile(canvas) {
  if (attachPad(canvas).isEmpty()) return null;
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  return { sha256: await sha256Hex(blob), blob, type: "image/png", capturedAt: new Date().toISOString() };
}
