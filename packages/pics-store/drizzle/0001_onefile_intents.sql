CREATE TABLE `onefile_intents` (
	`key` text PRIMARY KEY NOT NULL,
	`learner_id` text,
	`run_id` text,
	`state` text NOT NULL,
	`onefile_id` integer,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `onefile_intents_learner` ON `onefile_intents` (`learner_id`);