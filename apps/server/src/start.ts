/**
 * `npm start`: the whole product on embedded defaults. The HTTP server and the scheduler are not
 * built yet (issue "The server and the scheduler"); until then this says so plainly.
 */
console.log(
  [
    "PICS ↔ OneFile: the server and the scheduler are not built yet.",
    "What exists today: the PICS store (packages/pics-store), the OneFile client and the local OneFile sandbox.",
    "  npm run sandbox   start the local OneFile sandbox with demo data",
    "  npm test          run every test",
  ].join("\n"),
);
