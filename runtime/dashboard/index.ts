export { Dashboard, type DashboardProps } from "./Dashboard.tsx";
export type { DashboardAction, DashboardInfo } from "./info.ts";
export { type DashboardHandle, type MountOptions, mountDashboard } from "./mount.tsx";
export { sparkline } from "./Sparkline.tsx";
export { RedrawThrottle } from "./throttle.ts";
