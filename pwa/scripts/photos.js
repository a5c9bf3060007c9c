import SignaturePad from "/vendor/signature_pad@5.1.4/dist/signature_pad.min.js";

// Files named by SHA-256, made before a transaction opens: photos (upright, ≤ 1600 px, JPEG sans EXIF), signatures (PNG).
async function canvasFile(canvas, type, quality) {
  const blob = await new Promise((resolve, reject) => canvas.toBlob((made) => (made ? resolve(made) : reject(new Error(`no ${type} made`))), type, quality));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
  return { sha256: [...digest].map((b) => b.toString(16).padStart(2, "0")).join(""), blob, type };
}

export async function preparePhoto(file) {
  const capturedAt = new Date(file.lastModified || Date.now()).toISOString();
  const bitmapOf = (size) => createImageBitmap(file, { imageOrientation: "from-image", ...size });
  let bitmap = await bitmapOf();
  const scale = 1600 / Math.max(bitmap.width, bitmap.height);
  if (scale < 1) {
    const [resizeWidth, resizeHeight] = [bitmap.width, bitmap.height].map((side) => Math.round(side * scale));
    bitmap.close();
    bitmap = await bitmapOf({ resizeWidth, resizeHeight, resizeQuality: "high" });
  }
  const { width, height } = bitmap;
  const canvas = Object.assign(document.createElement("canvas"), { width, height });
  canvas.getContext("2d").drawImage(bitmap, 0, 0);
  bitmap.close();
  return { ...(await canvasFile(canvas, "image/jpeg", 0.85)), width, height, capturedAt };
}

export const blobRecord = (file, auditId) => ({ ...file, auditId, uploaded: false });

// signature_pad 5 draws: Bézier curves through the points, the ink thinner where the pen moves faster
export function attachPad(canvas) {
  if (canvas.pad) return canvas.pad;
  const ratio = Math.max(devicePixelRatio || 1, 1);
  canvas.width = canvas.offsetWidth * ratio;
  canvas.height = canvas.offsetHeight * ratio;
  canvas.getContext("2d").scale(ratio, ratio);
  canvas.pad = new SignaturePad(canvas, { backgroundColor: "rgb(255, 255, 255)", penColor: "rgb(0, 0, 80)", minWidth: 1, maxWidth: 3.5 });
  return canvas.pad;
}

export async function signatureFile(canvas) {
  return attachPad(canvas).isEmpty() ? null : { ...(await canvasFile(canvas, "image/png")), capturedAt: new Date().toISOString() };
}
