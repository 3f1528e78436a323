-- The agenda a meeting can get through: threats of one rule are decided as one item, and a
-- threat on a resource several services share is one threat of that item (`review::group`).
--
-- Why it looks like this:
-- * The agenda stays one row per service and threat: that is what triage decides and what the
--   next review compares. Grouping is computed when the agenda is read, from two facts stored
--   with each row when the review starts.
-- * `application_key` is the threat's key in the consolidated application model: the copies
--   of one threat on a shared resource have the same one. It needs every reviewed model to
--   compute, so it is stored rather than recomputed. NULL (rows of reviews started before this
--   migration) means the row's own key.
-- * `decided_with` is the group id whose decision set the row, NULL when the row was decided
--   on its own. A later decision on the group leaves rows decided on their own alone: those are
--   the reviewer's per-element exceptions.
-- * Adding columns does not touch the triggers that freeze a closed review's rows.
ALTER TABLE review_items ADD COLUMN application_key TEXT;
ALTER TABLE review_items ADD COLUMN decided_with TEXT;
