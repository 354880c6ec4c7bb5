import { startSandbox, type RunningSandbox, type SandboxSeed, type StartSandboxOptions } from "../src/index.ts";

/** Two customers with a little of everything; ids are fixed so tests can name them. */
export const testSeed = (): SandboxSeed => ({
  customers: [
    {
      ID: 1,
      Name: "Alpha Training",
      Token: "token-a",
      Organisations: [
        { ID: 10, Name: "Centre One" },
        { ID: 11, Name: "Centre Two" },
      ],
      Classrooms: [{ ID: 20, OrganisationID: 10, Name: "Cohort A" }],
      Placements: [{ ID: 30, OrganisationID: 10, Name: "Acme Ltd", MISID: "EMP001", Address: "1 High Street\nLeeds\nLS1 1AA" }],
      Standards: [
        { ID: 40, OrganisationID: 10, Title: "Level 3 Data Technician [ST0795]", Pathways: [] },
        {
          ID: 41,
          OrganisationID: 10,
          Title: "Level 2 Hair Professional [ST0213]",
          Pathways: [
            { ID: 42, Title: "Hair Services" },
            { ID: 43, Title: "Barbering" },
          ],
        },
        { ID: 44, OrganisationID: 11, Title: "Level 3 Business Administrator [ST0070]", Pathways: [{ ID: 45, Title: "Core" }] },
      ],
      Users: [
        {
          ID: 50,
          OrganisationID: 10,
          Role: 5,
          FirstName: "Ada",
          LastName: "Assessor",
          Email: "ada@example.org",
          MISID: "ASR001",
        },
        {
          ID: 51,
          OrganisationID: 10,
          Role: 1,
          FirstName: "Lee",
          LastName: "Learner",
          Email: "lee@example.org",
          MISID: "L1",
          ULN: "1234567890",
          DefaultAssessorID: 50,
          ClassroomID: 20,
          PlacementID: 30,
          DOB: "2001-02-03",
        },
        {
          ID: 52,
          OrganisationID: 10,
          Role: 1,
          FirstName: "Old",
          LastName: "Learner",
          Email: "old@example.org",
          MISID: "L1",
          Archived: true,
        },
        { ID: 53, OrganisationID: 10, Role: 40, FirstName: "Emma", LastName: "Employer", Email: "emma@example.org" },
      ],
      LearningAims: [{ ID: 60, UserID: 51, StandardID: 40, TotalElements: 10, ElementsDone: 3 }],
      Reviews: [{ ID: 70, LearnerID: 51, AssessorID: 50, ScheduledFor: "2025-03-10T10:00:00Z" }],
    },
    {
      ID: 2,
      Name: "Beta Skills",
      Token: "token-b",
      Organisations: [{ ID: 100, Name: "Beta Centre" }],
      Placements: [{ ID: 102, OrganisationID: 100, Name: "Beta Employer" }],
      Users: [{ ID: 101, OrganisationID: 100, Role: 5, FirstName: "Bo", LastName: "Beta", Email: "bo@example.org" }],
    },
  ],
});

export const start = (options: StartSandboxOptions = {}): Promise<RunningSandbox> =>
  startSandbox({ state: testSeed(), ...options });

export interface Answer {
  status: number;
  text: string;
  json: unknown;
}

const toAnswer = async (response: Response): Promise<Answer> => {
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
};

export const authenticate = async (sandbox: RunningSandbox, token = "token-a"): Promise<string> => {
  const response = await fetch(`${sandbox.baseUrl}Authentication`, { method: "POST", headers: { "X-CustomerToken": token } });
  if (response.status !== 200) throw new Error(`authentication failed: ${response.status}`);
  return JSON.parse(await response.text()) as string;
};

/** A OneFile client in five lines: `call("POST", "User/Search", {...})`. */
export const client = (sandbox: RunningSandbox, session: string) => {
  return async (method: "GET" | "POST", path: string, body?: unknown, init: RequestInit = {}): Promise<Answer> => {
    const response = await fetch(`${sandbox.baseUrl}${path}`, {
      method,
      headers: { "X-TokenID": session, "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      ...init,
    });
    return toAnswer(response);
  };
};

export const admin = async (sandbox: RunningSandbox, method: string, path: string, body?: unknown): Promise<Answer> =>
  toAnswer(
    await fetch(`${sandbox.adminUrl}${path}`, {
      method,
      headers: { "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
