import { Text } from "ink";

/** The keys the dashboard answers to. */
export function KeyHints() {
  return <Text dimColor>q quit · r reload · s snapshot · p pause</Text>;
}
