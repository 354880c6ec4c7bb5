/**
 * The console's navigation, in order. A new page adds its entry here (and registers its routes in
 * pages/index.ts); `path` is relative to the deployment's console base path.
 */
export interface NavItem {
  readonly path: string;
  readonly label: string;
}

export const navigation: ReadonlyArray<NavItem> = [
  { path: "/", label: "Summary" },
  { path: "/settings", label: "Settings" },
  { path: "/runs", label: "Runs" },
  { path: "/learners", label: "Learners" },
  { path: "/officers", label: "Officers" },
  { path: "/organisations", label: "Organisations" },
  { path: "/reconciliation", label: "Reconciliation" },
  { path: "/notifications", label: "Notifications" },
];
