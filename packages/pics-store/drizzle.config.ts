import { defineConfig } from "drizzle-kit";

// `npm run db:generate -w @pics/pics-store` writes a new SQL migration after a schema change.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/schema.ts",
  out: "./drizzle",
});
