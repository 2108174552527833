/**
 * `bun vivid … --midi-learn`: a prompt on the terminal. Type a param (`noise.scale`), move a
 * controller: that controller is mapped to the param (over its declared range) from the next frame,
 * and the line that keeps the mapping in the chain is printed. The mapping is made at the frame
 * boundary like every MIDI message (runtime/control/midi.ts `applyMidiMappings`).
 */
import { createInterface } from "node:readline";
import type { MidiMappings } from "./midi.ts";

export function startMidiLearn(mappings: MidiMappings, input: NodeJS.ReadableStream = process.stdin, write: (text: string) => void = (text) => process.stdout.write(text)): () => void {
  const lines = createInterface({ input, terminal: false });
  const ask = () => write("midi-learn: type a param to map (operator.param) and press Enter, then move a controller\n");
  lines.on("line", (line) => {
    const target = line.trim();
    if (target === "") return;
    if (!/^[^.\s]+\.[^.\s]+$/.test(target)) {
      write(`midi-learn: "${target}" is not operator.param (e.g. noise.scale)\n`);
      return;
    }
    mappings.learning = {
      target,
      done: (mapping) => {
        write(`midi-learn: cc ${mapping.cc} → ${mapping.target}; to keep it, put ctx.midi.map(${mapping.cc}, "${mapping.target}") in setup\n`);
        ask();
      },
    };
    write(`midi-learn: move a controller for ${target}…\n`);
  });
  ask();
  return () => lines.close();
}
