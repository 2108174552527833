import { useInput, useStdin } from "ink";
import type { DashboardAction } from "./info.ts";

const KEY_ACTIONS: Record<string, DashboardAction> = { q: "quit", r: "reload", s: "snapshot", p: "pause" };

/**
 * Turns key presses into actions. Renders nothing. Inactive when stdin has no raw mode (stdin
 * piped while stdout is a terminal), where Ink could not read single keys anyway.
 */
export function KeyInput({ onKey }: { onKey: (action: DashboardAction) => void }) {
  const { isRawModeSupported } = useStdin();
  useInput(
    (input, key) => {
      if (key.ctrl && input === "c") onKey("quit");
      else if (!key.ctrl && !key.meta && KEY_ACTIONS[input]) onKey(KEY_ACTIONS[input]);
    },
    { isActive: isRawModeSupported },
  );
  return null;
}
