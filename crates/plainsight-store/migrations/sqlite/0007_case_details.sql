-- What an agency needs on a case folder beyond its title: its own case number (free text, as
-- agencies number cases in many ways) and the user the folder is assigned to (a user name of
-- the folder's team, or empty).
ALTER TABLE cases ADD COLUMN agency_case_number TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
