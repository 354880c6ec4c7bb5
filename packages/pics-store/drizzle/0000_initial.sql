CREATE TABLE `journal` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`at` text NOT NULL,
	`learner_id` text,
	`entity` text NOT NULL,
	`entity_id` text NOT NULL,
	`field` text NOT NULL,
	`before` text,
	`after` text,
	`direction` text NOT NULL,
	`onefile_id` integer,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `journal_run` ON `journal` (`run_id`);--> statement-breakpoint
CREATE INDEX `journal_learner` ON `journal` (`learner_id`);--> statement-breakpoint
CREATE TABLE `learner_officers` (
	`learner_id` text NOT NULL,
	`officer_id` text NOT NULL,
	`type` text NOT NULL,
	PRIMARY KEY(`learner_id`, `officer_id`, `type`),
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `learners` (
	`id` text PRIMARY KEY NOT NULL,
	`first_name` text NOT NULL,
	`surname` text NOT NULL,
	`email` text,
	`telephone` text,
	`mobile` text,
	`birth_date` text,
	`uln` text,
	`ni_number` text,
	`sex` text,
	`ethnicity` text,
	`disability` text,
	`address1` text,
	`address2` text,
	`address3` text,
	`address4` text,
	`postcode` text,
	`start_date` text,
	`planned_end_date` text,
	`actual_end_date` text,
	`system_status` text DEFAULT 'Live' NOT NULL,
	`learning_status` text DEFAULT 'InLearning' NOT NULL,
	`main_officer_id` text,
	`main_tag` text,
	`onefile_id` integer,
	`onefile_centre_id` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `learners_onefile_id` ON `learners` (`onefile_id`);--> statement-breakpoint
CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `officers` (
	`id` text PRIMARY KEY NOT NULL,
	`ident` text NOT NULL,
	`first_name` text NOT NULL,
	`surname` text NOT NULL,
	`email` text,
	`phone` text,
	`mobile` text,
	`birth_date` text,
	`onefile_id` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `onefile_standards` (
	`standard_id` integer NOT NULL,
	`centre_id` integer NOT NULL,
	`title` text NOT NULL,
	`vq_reference` text,
	`pathways` text DEFAULT '[]' NOT NULL,
	`refreshed_at` text NOT NULL,
	PRIMARY KEY(`centre_id`, `standard_id`)
);
--> statement-breakpoint
CREATE INDEX `onefile_standards_vq` ON `onefile_standards` (`vq_reference`);--> statement-breakpoint
CREATE TABLE `organisations` (
	`id` text PRIMARY KEY NOT NULL,
	`ident` text NOT NULL,
	`name` text NOT NULL,
	`phone` text,
	`email` text,
	`website` text,
	`address1` text,
	`address2` text,
	`address3` text,
	`address4` text,
	`postcode` text,
	`onefile_id` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `placements` (
	`learner_id` text NOT NULL,
	`id` text NOT NULL,
	`organisation_id` text NOT NULL,
	`type` text NOT NULL,
	`start_date` text NOT NULL,
	`end_date` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`learner_id`, `id`),
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `qualifications` (
	`learner_id` text NOT NULL,
	`id` text NOT NULL,
	`vq_reference` text NOT NULL,
	`title` text,
	`assessor_id` text,
	`start_date` text,
	`planned_end_date` text,
	`has_units` integer DEFAULT false NOT NULL,
	`total_elements` integer,
	`elements_done` integer,
	`registration_number` text,
	`registration_date` text,
	`certificate_applied_date` text,
	`certificate_received_date` text,
	`onefile_standard_id` integer,
	`onefile_learning_aim_id` integer,
	PRIMARY KEY(`learner_id`, `id`),
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `rate_limit_calls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`budget_key` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rate_limit_calls_key_at` ON `rate_limit_calls` (`budget_key`,`at`);--> statement-breakpoint
CREATE TABLE `reviews` (
	`learner_id` text NOT NULL,
	`id` text NOT NULL,
	`type` text DEFAULT 'Normal' NOT NULL,
	`scheduled_date` text,
	`start_time` text,
	`officer_id` text,
	`attended` text,
	`actual_date` text,
	`trainee_signed_date` text,
	`onefile_system_id` integer,
	`onefile_visit_id` integer,
	PRIMARY KEY(`learner_id`, `id`),
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `reviews_onefile_system_id` ON `reviews` (`onefile_system_id`);--> statement-breakpoint
CREATE TABLE `run_errors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`learner_id` text,
	`code` text NOT NULL,
	`reason` text NOT NULL,
	`at` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `run_errors_run` ON `run_errors` (`run_id`);--> statement-breakpoint
CREATE INDEX `run_errors_learner` ON `run_errors` (`learner_id`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`trigger` text NOT NULL,
	`dry_run` integer DEFAULT false NOT NULL,
	`learner_id` text,
	`status` text NOT NULL,
	`message` text,
	`total` integer DEFAULT 0 NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`changes` integer DEFAULT 0 NOT NULL,
	`started_at` text NOT NULL,
	`ended_at` text,
	`heartbeat_at` text,
	`owner` text
);
--> statement-breakpoint
CREATE INDEX `runs_started_at` ON `runs` (`started_at`);--> statement-breakpoint
CREATE INDEX `runs_status` ON `runs` (`status`);--> statement-breakpoint
CREATE TABLE `settings` (
	`tenant` text PRIMARY KEY NOT NULL,
	`document` text NOT NULL,
	`customer_token_ciphertext` text,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
