/** Photos, before any transaction opens: turned upright by the browser, at most 1600 px, JPEG (EXIF
 * gone: the capture time is kept beside), named by SHA-256. */
const MAX_SIDE = 1600;

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** What a canvas holds, as a file of `type`. */
export const canvasFile = (canvas, type, quality) => new Promise((resolve, reject) => canvas.toBlob(
  (blob) => (blob ? resolve(blob) : reject(new Error(`no ${type} made`))), type, quality));

function jpeg(bitmap) {
  const canvas = Object.assign(document.createElement("canvas"), { width: bitmap.width, height: bitmap.height });
  canvas.getContext("2d").drawImage(bitmap, 0, 0);
  return canvasFile(canvas, "image/jpeg", 0.85);
}

/** A photo ready to store: `{sha256, blob, type, width, height, capturedAt}`. */
export async function preparePhoto(file) {
  const capturedAt = new Date(file.lastModified || Date.now()).toISOString();
  let bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = MAX_SIDE / Math.max(bitmap.width, bitmap.height);
  if (scale < 1) {
    const { width, height } = bitmap;
    bitmap.close();
    bitmap = await createImageBitmap(file, {
      imageOrientation: "from-image", resizeWidth: Math.round(width * scale), resizeHeight: Math.round(height * scale), resizeQuality: "high",
    });
  }
  const blob = await jpeg(bitmap);
  const { width, height } = bitmap;
  bitmap.close();
  return { sha256: await sha256Hex(blob), blob, type: "image/jpeg", width, height, capturedAt };
}

export const blobRecord = (file, auditId) => ({ ...file, auditId, uploaded: false });
