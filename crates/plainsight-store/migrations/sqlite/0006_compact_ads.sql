-- Compact ad storage: new rows keep what the columns of `ads` do not already hold (site as
-- given, phones, images, extra fields, the extraction) in `document`, zstd-compressed JSON
-- (src/document.rs), and leave `record` and `extraction` empty. Rows stored before this
-- migration keep their JSON and a NULL document; readers accept both.
ALTER TABLE ads ADD COLUMN document BLOB;

-- 0004 created a second index on ads (posted_at) under another name; one is enough.
DROP INDEX ads_by_posted;
