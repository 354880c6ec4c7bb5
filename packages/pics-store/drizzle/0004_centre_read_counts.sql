CREATE TABLE `onefile_centre_counts` (
	`centre_id` integer NOT NULL,
	`kind` text NOT NULL,
	`count` integer NOT NULL,
	`seen_at` text NOT NULL,
	PRIMARY KEY(`centre_id`, `kind`)
);
