CREATE TABLE `officer_onefile_links` (
	`entity_id` text NOT NULL,
	`centre_id` integer NOT NULL,
	`onefile_id` integer NOT NULL,
	`linked_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`entity_id`, `centre_id`),
	FOREIGN KEY (`entity_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `officer_onefile_links_onefile` ON `officer_onefile_links` (`centre_id`,`onefile_id`);
--> statement-breakpoint
CREATE TABLE `organisation_onefile_links` (
	`entity_id` text NOT NULL,
	`centre_id` integer NOT NULL,
	`onefile_id` integer NOT NULL,
	`linked_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`entity_id`, `centre_id`),
	FOREIGN KEY (`entity_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organisation_onefile_links_onefile` ON `organisation_onefile_links` (`centre_id`,`onefile_id`);
