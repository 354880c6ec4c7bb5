ALTER TABLE `settings` ADD `webhook_secret_ciphertext` text;--> statement-breakpoint
ALTER TABLE `settings` ADD `smtp_url_ciphertext` text;--> statement-breakpoint
CREATE TABLE `notification_claims` (
	`key` text PRIMARY KEY NOT NULL,
	`notification_id` text NOT NULL,
	`event` text NOT NULL,
	`owner` text,
	`claimed_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notification_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`notification_id` text NOT NULL,
	`event` text NOT NULL,
	`channel` text NOT NULL,
	`run_id` text,
	`at` text NOT NULL,
	`ok` integer NOT NULL,
	`attempt` integer NOT NULL,
	`status` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `notification_deliveries_notification` ON `notification_deliveries` (`notification_id`);
