/**
 * Prints the GPU adapter Dawn would use (and how per-pixel operators would run on it) and exits 0, or prints why there is none and exits 1.
 * scripts/setup.sh uses it to decide whether Mesa's lavapipe must be installed.
 */
import { requestDevice } from "../runtime/gpu/device.ts";
import { chooseDispatch } from "../runtime/gpu/dispatch.ts";

try {
  const { device, adapter } = await requestDevice();
  const { dispatch, reason } = chooseDispatch(adapter);
  const detail = [adapter.device, adapter.architecture].filter(Boolean).join(", ");
  console.log(`${adapter.name} (${adapter.backend}${adapter.software ? ", software" : ""})${detail ? ` [${detail}]` : ""}; per-pixel operators as ${dispatch} passes: ${reason}`);
  device.destroy();
  process.exit(0);
} catch (err) {
  console.log(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
