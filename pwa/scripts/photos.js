/** Files made before any transaction opens, named by SHA-256: photos (upright, at most 1600 px, JPEG
 * without EXIF: the capture time is kept beside) and signatures drawn by finger, pen or mouse (PNG). */
const MAX_SIDE = 1600;

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const canvasFile = (canvas, type, quality) => new Promise((resolve, reject) => canvas.toBlob(
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

const mid = ([x1, y1], [x2, y2]) => [(x1 + x2) / 2, (y1 + y2) / 2];

/** The canvas's pad (made once, at the pixel density): `{clear(), isEmpty()}`. */
export function attachPad(canvas) {
  if (canvas.pad) return canvas.pad;
  const ratio = Math.max(devicePixelRatio || 1, 1);
  canvas.width = canvas.offsetWidth * ratio;
  canvas.height = canvas.offsetHeight * ratio;
  const ink = canvas.getContext("2d");
  ink.scale(ratio, ratio);
  let empty = true;
  let points = null; // the stroke being drawn: its last two points
  const at = (e) => {
    const box = canvas.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  };
  // curves between the segments' middles: no corners where the pointer turns
  const draw = (from, through, to) => {
    Object.assign(ink, { lineWidth: 2.5, lineCap: "round", lineJoin: "round", strokeStyle: "rgb(0, 0, 80)" });
    ink.beginPath();
    ink.moveTo(...from);
    ink.quadraticCurveTo(...through, ...to);
    ink.stroke();
    empty = false;
  };
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture(e.pointerId);
    points = [at(e), at(e)];
  });
  canvas.addEventListener("pointermove", (e) => {
    const moves = e.getCoalescedEvents?.(); // every position since the last event, for a faithful line
    for (const each of points ? (moves?.length ? moves : [e]) : []) {
      const [before, last] = points;
      const next = at(each);
      draw(mid(before, last), last, mid(last, next));
      points = [last, next];
    }
  });
  const end = () => {
    if (points && !empty) draw(mid(...points), points[1], points[1]);
    points = null;
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.pad = {
    clear() {
      ink.fillStyle = "#fff";
      ink.fillRect(0, 0, canvas.width, canvas.height);
      empty = true;
    },
    isEmpty: () => empty,
  };
  canvas.pad.clear();
  return canvas.pad;
}

/** The signature as `{sha256, blob, type, capturedAt}`, or null when nothing was drawn. */
export async function signatureFile(canvas) {
  if (attachPad(canvas).isEmpty()) return null;
  const blob = await canvasFile(canvas, "image/png");
  return { sha256: await sha256Hex(blob), blob, type: "image/png", capturedAt: new Date().toISOString() };
}
