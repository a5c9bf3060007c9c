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

const mid = ([x1, y1], [x2, y2]) => [(x1 + x2) / 2, (y1 + y2) / 2];

export function attachPad(canvas) {
  if (canvas.pad) return canvas.pad;
  const ratio = Math.max(devicePixelRatio || 1, 1);
  canvas.width = canvas.offsetWidth * ratio;
  canvas.height = canvas.offsetHeight * ratio;
  const ink = canvas.getContext("2d");
  ink.scale(ratio, ratio);
  let empty = true;
  let points = null; // the stroke's last two points
  const at = (e, box = canvas.getBoundingClientRect()) => [e.clientX - box.left, e.clientY - box.top];
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
    const moves = e.getCoalescedEvents?.(); // every position since the last event: a faithful line
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
  for (const type of ["pointerup", "pointercancel"]) canvas.addEventListener(type, end);
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

export async function signatureFile(canvas) {
  return attachPad(canvas).isEmpty() ? null : { ...(await canvasFile(canvas, "image/png")), capturedAt: new Date().toISOString() };
}
