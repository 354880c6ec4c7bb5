/**
 * What can stop an operation, named for what happened. The HTTP layer maps each to a status code
 * in one place (apps/server); runs record `_tag` as the error code and `message` as the reason.
 */
import { Data } from "effect";

/** SET-1: the integration is switched off. */
export class IntegrationDisabled extends Data.TaggedError("IntegrationDisabled")<{}> {
  override get message(): string {
    return "the OneFile integration is disabled in the settings (integrationEnabled = false)";
  }
}

/** No customer token is set, so OneFile cannot be reached. */
export class OneFileNotConfigured extends Data.TaggedError("OneFileNotConfigured")<{ readonly reason: string }> {
  override get message(): string {
    return `OneFile is not configured: ${this.reason}`;
  }
}

/** A problem that blocks an enrolment (ENR-4); all of them are reported together. */
export interface Blocker {
  /** Machine code, e.g. `no_main_officer`, `ambiguous_assessor`, `needs_pathway`. */
  readonly code: string;
  readonly message: string;
  /** The record it is about, when there is one. */
  readonly entity?: string;
  readonly entityId?: string;
  readonly details?: unknown;
}

export class EnrolmentBlocked extends Data.TaggedError("EnrolmentBlocked")<{
  readonly learnerId: string;
  readonly blockers: ReadonlyArray<Blocker>;
}> {
  override get message(): string {
    return `learner "${this.learnerId}" cannot be enrolled: ${this.blockers.map((b) => b.message).join("; ")}`;
  }
}

/** ENR-4: the learner is already linked to a OneFile learner. */
export class LearnerAlreadyEnrolled extends Data.TaggedError("LearnerAlreadyEnrolled")<{
  readonly learnerId: string;
  readonly onefileId: number;
}> {
  override get message(): string {
    return `learner "${this.learnerId}" is already linked to OneFile learner ${this.onefileId}`;
  }
}

/** ENR-10: the OneFile learner is already linked to another PICS learner. */
export class OneFileLearnerAlreadyLinked extends Data.TaggedError("OneFileLearnerAlreadyLinked")<{
  readonly onefileId: number;
  readonly learnerId: string;
}> {
  override get message(): string {
    return `OneFile learner ${this.onefileId} is already linked to PICS learner "${this.learnerId}"`;
  }
}

/** ENR-9: OneFile already has this learner; link instead (ENR-10). */
export class DuplicateLearnerFound extends Data.TaggedError("DuplicateLearnerFound")<{
  readonly learnerId: string;
  readonly candidates: ReadonlyArray<{ readonly onefileId: number; readonly matchedOn: ReadonlyArray<string> }>;
}> {
  override get message(): string {
    const ids = this.candidates.map((c) => `${c.onefileId} (same ${c.matchedOn.join(", ")})`).join(", ");
    return `OneFile already has a learner like "${this.learnerId}": ${ids}; link to one of them instead of creating another`;
  }
}

/** SYNC-5: another run is working on this learner (or the daily run is going). */
export class RunInProgress extends Data.TaggedError("RunInProgress")<{
  readonly subject: string;
  readonly holder: string;
}> {
  override get message(): string {
    return `${this.subject} is being synchronised by ${this.holder}; try again when it has finished`;
  }
}

/** JRN-4: the enabled rule packages do not fit together, found at start-up. */
export class RuleConfigurationError extends Data.TaggedError("RuleConfigurationError")<{
  readonly problems: ReadonlyArray<string>;
}> {
  override get message(): string {
    return `rule packages misconfigured: ${this.problems.join("; ")}`;
  }
}

/** An operation needs a rule package that is disabled in this deployment. */
export class RuleDisabled extends Data.TaggedError("RuleDisabled")<{ readonly rule: string; readonly operation: string }> {
  override get message(): string {
    return `${this.operation} needs the "${this.rule}" rule package, which is disabled (ONEFILE_SYNC_RULES)`;
  }
}

/** The caller asked for something that does not fit (a centre the customer has not got, …). */
export class InvalidRequest extends Data.TaggedError("InvalidRequest")<{ readonly field: string; readonly reason: string }> {
  override get message(): string {
    return `${this.field}: ${this.reason}`;
  }
}

/** SYNC-2: only learners linked to OneFile are exchanged. */
export class LearnerNotLinked extends Data.TaggedError("LearnerNotLinked")<{ readonly learnerId: string }> {
  override get message(): string {
    return `learner "${this.learnerId}" is not linked to OneFile yet: enrol or link it first`;
  }
}

/** REC-2: a proposed pair whose records changed since the reconciliation proposed it. */
export class ProposalOutdated extends Data.TaggedError("ProposalOutdated")<{
  readonly learnerId: string;
  readonly onefileId: number;
  readonly reason: string;
}> {
  override get message(): string {
    return `learner "${this.learnerId}" and OneFile learner ${this.onefileId} changed since the proposal: ${this.reason}`;
  }
}

/** OFF-7, ORG-6: the chosen OneFile record is already linked to another officer (organisation) in its centre. */
export class OneFileRecordLinked extends Data.TaggedError("OneFileRecordLinked")<{
  readonly entity: "officer" | "organisation";
  readonly onefileId: number;
  readonly centreId: number;
  readonly linkedTo: string;
}> {
  override get message(): string {
    return `OneFile ${this.entity === "officer" ? "assessor" : "placement"} ${this.onefileId} is already linked to ${this.entity} "${this.linkedTo}" in centre ${this.centreId}`;
  }
}

/** OFF-7, ORG-6: the chosen OneFile record is not an assessor (placement) of the customer. */
export class NotLinkable extends Data.TaggedError("NotLinkable")<{
  readonly entity: "officer" | "organisation";
  readonly onefileId: number;
  readonly reason: string;
}> {
  override get message(): string {
    return `${this.entity} cannot be linked to OneFile ${this.onefileId}: ${this.reason}`;
  }
}
