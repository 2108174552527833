/**
 * Which sound devices this machine has, from ALSA's own tools (`aplay -l`, `arecord -l`, from
 * alsa-utils): no native binding to build or load, and the same names `aplay -D` / `arecord -D` take.
 */
import { existsSync } from "node:fs";

export interface AudioDevice {
  /** The ALSA name to open it by, e.g. "hw:1,0". */
  id: string;
  /** Card index, as `AudioIn.device = "1"` picks it. */
  card: number;
  device: number;
  /** "USB Audio: USB Audio [USB Audio]" as aplay prints it. */
  name: string;
}

export interface DeviceList {
  outputs: AudioDevice[];
  inputs: AudioDevice[];
  /** Why there are none, when there are none (no /dev/snd, no alsa-utils). */
  note?: string;
}

/** `card 1: Device [USB Audio Device], device 0: USB Audio [USB Audio]` → an AudioDevice. */
export function parseAlsaList(text: string): AudioDevice[] {
  const devices: AudioDevice[] = [];
  for (const line of text.split("\n")) {
    const match = /^card (\d+): ([^,]+), device (\d+): (.*)$/.exec(line.trim());
    if (!match) continue;
    const card = Number(match[1]);
    const device = Number(match[3]);
    devices.push({ id: `hw:${card},${device}`, card, device, name: `${match[2]!.trim()}: ${match[4]!.trim()}` });
  }
  return devices;
}

function run(command: string[]): string | undefined {
  try {
    const result = Bun.spawnSync(command, { stdout: "pipe", stderr: "pipe" });
    return result.stdout.toString();
  } catch {
    return undefined;
  }
}

/** The machine's playback and capture devices (one `aplay -l` and one `arecord -l`). */
export function listDevices(): DeviceList {
  const playback = run(["aplay", "-l"]);
  const capture = run(["arecord", "-l"]);
  if (playback === undefined || capture === undefined) return { outputs: [], inputs: [], note: "aplay/arecord not found (alsa-utils; scripts/setup.sh installs it)" };
  const outputs = parseAlsaList(playback);
  const inputs = parseAlsaList(capture);
  const note = outputs.length + inputs.length > 0 ? undefined : existsSync("/dev/snd") ? "ALSA lists no sound cards" : "no sound card (no /dev/snd)";
  return { outputs, inputs, ...(note ? { note } : {}) };
}

/**
 * The ALSA name for a device picked by the user: "" → "default", a number → that card ("hw:N"), a
 * name that some device's name contains → that device, anything else as ALSA's own name.
 */
export function resolveDevice(pick: string, devices: AudioDevice[]): string {
  const wanted = pick.trim();
  if (wanted === "") return "default";
  if (/^\d+$/.test(wanted)) {
    const byCard = devices.find((d) => d.card === Number(wanted));
    return byCard ? byCard.id : `hw:${wanted}`;
  }
  const byName = devices.find((d) => d.name.toLowerCase().includes(wanted.toLowerCase()));
  return byName ? byName.id : wanted;
}

/** `vivid devices`: the lists, as lines. */
export function formatDevices(list: DeviceList): string {
  const lines: string[] = [];
  const section = (title: string, devices: AudioDevice[]) => {
    lines.push(`${title}:`);
    if (devices.length === 0) lines.push("  (none)");
    for (const d of devices) lines.push(`  ${d.card}  ${d.id.padEnd(8)} ${d.name}`);
  };
  section("audio outputs", list.outputs);
  section("audio inputs", list.inputs);
  if (list.note) lines.push(`(${list.note}: audio plays to a null sink that keeps time; AudioIn is silent)`);
  return lines.join("\n");
}
