-- Searches sort and filter ads by posting time and site. An ad's row also holds its title,
-- body and compressed document, so reading posted_at for each of the thousands of ads that
-- share a phone, or that match a common word, read (and in an encrypted workspace decrypted)
-- one page per ad: at 1,000,000 ads a phone search took seconds. This index holds what the
-- searches sort and filter on, so only a page's own ads are then read in full.
CREATE INDEX ads_for_search ON ads (ad_key, posted_at, site);
