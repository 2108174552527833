// Canvas drawing — the HTML-Canvas-style 2D API (port of the original's 2d-effects/canvas-drawing):
// a bouncing ball, squares orbiting with save/translate/rotate/restore, a pulsing ring, radiating
// lines, a spinning star path, linear and radial gradients and Roboto Mono text, all redrawn every
// frame in update(). The whole frame is tessellated on the CPU into one vertex buffer and drawn in
// one draw call. An HSV operator slowly cycles the hue of the result.
// (The original's clip() demo is left out: clipping is not implemented yet.)
//
// Keys: H toggles the hue cycling · F toggles fullscreen.
import { Canvas, HSV, type Context } from "vivid";

export function setup(ctx: Context) {
  const canvas = ctx.chain.add(Canvas, "canvas").resolution(1280, 720);
  canvas.clearColor = [0.1, 0.1, 0.2, 1];
  const hsv = ctx.chain.add(HSV, "hsv");
  hsv.input("canvas");
  ctx.chain.output("hsv");
}

export function update(ctx: Context) {
  const canvas = ctx.chain.get("canvas", Canvas);
  const t = ctx.time;
  canvas.clear();

  // Bouncing ball.
  canvas.fillStyle = [1, 0.4, 0.2, 1];
  canvas.fillCircle(640 + 200 * Math.sin(t * 1.5), 360 + 100 * Math.sin(t * 2.3), 40);

  // Four squares orbiting the centre, each turning on itself.
  for (let i = 0; i < 4; i++) {
    const angle = t * 0.5 + i * (Math.PI / 2);
    canvas.save();
    canvas.translate(640 + 180 * Math.cos(angle), 360 + 180 * Math.sin(angle));
    canvas.rotate(t + i);
    canvas.fillStyle = [0.5 + 0.5 * Math.sin(t + i), 0.5 + 0.5 * Math.sin(t + i + 2), 0.5 + 0.5 * Math.sin(t + i + 4), 1];
    canvas.fillRect(-25, -25, 50, 50);
    canvas.restore();
  }

  // Pulsing ring and radiating lines.
  canvas.strokeStyle = [0.2, 0.8, 1, 1];
  canvas.lineWidth = 4;
  canvas.strokeCircle(640, 360, 80 + 20 * Math.sin(t * 3));
  canvas.strokeStyle = "rgba(255, 255, 255, 0.5)";
  canvas.lineWidth = 2;
  canvas.lineCap = "round";
  for (let i = 0; i < 12; i++) {
    const angle = (i * Math.PI * 2) / 12 + t * 0.3;
    canvas.beginPath();
    canvas.moveTo(640 + 100 * Math.cos(angle), 360 + 100 * Math.sin(angle));
    canvas.lineTo(640 + 250 * Math.cos(angle), 360 + 250 * Math.sin(angle));
    canvas.stroke();
  }

  // Spinning star: one path of ten points, filled, then outlined.
  canvas.save();
  canvas.translate(1100, 150);
  canvas.rotate(t);
  canvas.beginPath();
  for (let i = 0; i < 5; i++) {
    const outer = (i * Math.PI * 2) / 5 - Math.PI / 2;
    const inner = outer + Math.PI / 5;
    canvas.lineTo(50 * Math.cos(outer), 50 * Math.sin(outer));
    canvas.lineTo(20 * Math.cos(inner), 20 * Math.sin(inner));
  }
  canvas.closePath();
  canvas.fillStyle = [1, 0.9, 0.2, 1];
  canvas.fill();
  canvas.strokeStyle = "white";
  canvas.lineJoin = "round";
  canvas.stroke();
  canvas.restore();

  // Linear gradient bar and a radial gradient disc.
  const bar = canvas.createLinearGradient(900, 0, 1200, 0);
  bar.addColorStop(0, "red");
  bar.addColorStop(0.5, "yellow");
  bar.addColorStop(1, "lime");
  canvas.fillStyle = bar;
  canvas.fillRect(900, 500, 300, 100);
  const glow = canvas.createRadialGradient(640, 620, 0, 640, 620, 80);
  glow.addColorStop(0, "white");
  glow.addColorStop(1, [0, 0, 0.5, 1]);
  canvas.fillStyle = glow;
  canvas.fillCircle(640, 620, 80);

  // Text: a title and a live readout.
  canvas.fillStyle = "white";
  canvas.font = "40px Roboto Mono";
  canvas.textAlign = "center";
  canvas.textBaseline = "top";
  canvas.fillText("Vivid Canvas API", 640, 30);
  canvas.font = "22px Roboto Mono";
  canvas.textAlign = "left";
  canvas.textBaseline = "alphabetic";
  canvas.fillStyle = [0.7, 0.9, 1, 1];
  canvas.fillText(`t = ${t.toFixed(2)} s   triangles: ${canvas.triangleCount}`, 40, 690);

  const hsv = ctx.chain.get("hsv", HSV);
  if (ctx.key("H").pressed) hsv.bypass = !hsv.bypass;
  hsv.hueShift = (t * 0.1) % 1;
  if (ctx.key("F").pressed) ctx.fullscreen = !ctx.fullscreen;
}
