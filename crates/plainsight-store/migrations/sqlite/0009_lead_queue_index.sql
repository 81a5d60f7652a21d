-- The lead queue's count and its filters read ads, first_seen and last_seen of every network.
-- A network's row also holds its whole record (hundreds of kilobytes for a large network), so a
-- scan of the table reads about one page per network, and in an encrypted workspace decrypts
-- it: at 1,000,000 ads (57,698 networks) one count read some 230 MB. This index holds every
-- column the queue filters and sorts on, so the count, the filters and the choice of a page's
-- networks read the index alone; only the page's own rows are then looked up.
CREATE INDEX networks_for_queue ON networks (priority DESC, network_id, ads, first_seen, last_seen);
