/**
 * Prints the GPU adapter Dawn would use and exits 0, or prints why there is none and exits 1.
 * scripts/setup.sh uses it to decide whether Mesa's lavapipe must be installed.
 */
import { requestDevice } from "../runtime/gpu/device.ts";

try {
  const { device, adapter } = await requestDevice();
  console.log(`${adapter.name} (${adapter.backend}${adapter.software ? ", software" : ""})`);
  device.destroy();
  process.exit(0);
} catch (err) {
  console.log(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
