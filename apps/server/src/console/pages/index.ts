/**
 * Every console page registers its routes here, in navigation order (nav.ts holds the menu).
 * A new page: a file in this folder exporting `register(app)`, one line below, one entry in nav.ts.
 */
import type { ConsoleApp } from "../kit.tsx";
import * as learners from "./learners.tsx";
import * as notifications from "./notifications.tsx";
import * as reconciliation from "./reconciliation.tsx";
import * as records from "./records.tsx";
import * as runs from "./runs.tsx";
import * as settings from "./settings.tsx";
import * as summary from "./summary.tsx";

export const registerPages = (app: ConsoleApp): void => {
  summary.register(app);
  settings.register(app);
  runs.register(app);
  learners.register(app);
  records.register(app);
  reconciliation.register(app);
  notifications.register(app);
};
