/**
 * `bun vivid devices`: the devices a chain can open, one section per kind (sound, cameras). Each
 * kind is its own function returning its lines.
 */
import { listCameras } from "../operators/video/webcam.ts";
import { formatDevices, listDevices } from "./audio/devices.ts";

/** The cameras, as Webcam's `device` takes them. */
export function cameraLines(sysfs?: string): string[] {
  const cameras = listCameras(sysfs);
  const lines = ["Cameras (Webcam device; \"\" = the first):"];
  if (cameras.length === 0) lines.push('  none found (no /dev/video* device): a Webcam shows black; device = "lavfi:testsrc2" gives a test picture');
  for (const camera of cameras) lines.push(`  ${camera.path.padEnd(14)} ${camera.name}`);
  return lines;
}

export function printDevices(): number {
  console.log(formatDevices(listDevices()));
  for (const line of cameraLines()) console.log(line);
  return 0;
}
