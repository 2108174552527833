/**
 * What each `vivid new` template looks like, as a user would recognise it, checked on a snapshot taken
 * at frame 5 with `--fixed-fps 60` (1280×720). Each check returns the problems it found (none: it
 * looks right).
 */
import { regionMean } from "./render.ts";

export interface Picture {
  width: number;
  height: number;
  rgba: Uint8Array;
}

function count(picture: Picture, x0: number, x1: number, test: (r: number, g: number, b: number) => boolean): number {
  let n = 0;
  for (let y = 0; y < picture.height; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * picture.width + x) * 4;
      if (test(picture.rgba[i]!, picture.rgba[i + 1]!, picture.rgba[i + 2]!)) n++;
    }
  }
  return n;
}

function lumaSpread(picture: Picture, x0: number, y0: number, size: number): number {
  const values: number[] = [];
  for (let y = y0; y < y0 + size; y++) {
    for (let x = x0; x < x0 + size; x++) {
      const i = (y * picture.width + x) * 4;
      values.push(0.3 * picture.rgba[i]! + 0.59 * picture.rgba[i + 1]! + 0.11 * picture.rgba[i + 2]!);
    }
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
}

const fmt = (rgb: number[]) => `[${rgb.slice(0, 3).map((v) => v.toFixed(0)).join(", ")}]`;

export const TEMPLATE_CHECKS: Record<string, (picture: Picture) => string[]> = {
  // An orange disc in the middle of a dark blue radial glow.
  blank(picture) {
    const problems: string[] = [];
    const centre = regionMean(picture, 620, 340, 40, 40);
    if (!(centre[0]! > 200 && centre[1]! > 130 && centre[1]! < 220 && centre[2]! < 110)) problems.push(`centre is not orange: ${fmt(centre)}`);
    const glow = regionMean(picture, 900, 340, 40, 40);
    if (!(glow[2]! > glow[0]! + 15 && glow[2]! > 30)) problems.push(`beside the disc is not the blue glow: ${fmt(glow)}`);
    const corner = regionMean(picture, 0, 0, 40, 40);
    if (!(corner[0]! < 30 && corner[1]! < 30 && corner[2]! < 40)) problems.push(`corner is not dark: ${fmt(corner)}`);
    return problems;
  },
  // Cloudy noise tinted teal at the top left and magenta at the bottom right.
  noise(picture) {
    const problems: string[] = [];
    const topLeft = regionMean(picture, 0, 0, 320, 180);
    if (!(topLeft[1]! > topLeft[0]! + 30 && topLeft[2]! > topLeft[0]! + 30)) problems.push(`top left is not teal: ${fmt(topLeft)}`);
    const bottomRight = regionMean(picture, 960, 540, 320, 180);
    if (!(bottomRight[0]! > bottomRight[1]! + 30 && bottomRight[2]! > bottomRight[1]! + 30)) problems.push(`bottom right is not magenta: ${fmt(bottomRight)}`);
    const texture = lumaSpread(picture, 590, 310, 100);
    if (texture < 8) problems.push(`no cloudy texture in the middle (luma spread ${texture.toFixed(1)})`);
    return problems;
  },
  // At t = 5/60 s the star is right of centre (x ≈ 0.66, y ≈ 0.53), warm-coloured; the left half is black.
  feedback(picture) {
    const problems: string[] = [];
    const star = regionMean(picture, 822, 366, 40, 40);
    if (!(star[0]! > 80 && star[0]! > star[2]!)) problems.push(`no warm star at (842, 386): ${fmt(star)}`);
    const left = regionMean(picture, 0, 0, 600, 720);
    if (!(left[0]! < 4 && left[1]! < 4 && left[2]! < 4)) problems.push(`left half is not black: ${fmt(left)}`);
    return problems;
  },
  // An orange torus in the left half, a blue box in the right half, on a dark background.
  "3d"(picture) {
    const problems: string[] = [];
    const half = picture.width / 2;
    const isOrange = (r: number, g: number, b: number) => r > 150 && g > 40 && g < r - 50 && b < g;
    const isBlue = (r: number, _g: number, b: number) => b > 120 && b > r + 50;
    const orangeLeft = count(picture, 0, half, isOrange);
    const orangeRight = count(picture, half, picture.width, isOrange);
    const blueLeft = count(picture, 0, half, isBlue);
    const blueRight = count(picture, half, picture.width, isBlue);
    if (!(orangeLeft > 3000 && orangeLeft > 10 * orangeRight)) problems.push(`orange torus not on the left (left ${orangeLeft} px, right ${orangeRight} px)`);
    if (!(blueRight > 3000 && blueRight > 10 * blueLeft)) problems.push(`blue box not on the right (left ${blueLeft} px, right ${blueRight} px)`);
    const corner = regionMean(picture, 0, 0, 60, 60);
    if (!(corner[0]! < 40 && corner[1]! < 40 && corner[2]! < 50)) problems.push(`background is not dark: ${fmt(corner)}`);
    return problems;
  },
};
