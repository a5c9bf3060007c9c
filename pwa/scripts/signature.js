/** Drawn signatures (finger, pen or mouse) on a canvas, exported as a PNG named by its SHA-256. */
import { canvasFile, sha256Hex } from "./photos.js";

const mid = ([x1, y1], [x2, y2]) => [(x1 + x2) / 2, (y1 + y2) / 2];

/** The canvas's pad (made once, at the screen's pixel density): `{clear(), isEmpty()}`. */
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
