-- A publication stated by several sources (the report PDF, Ofsted's official statistics, the
-- scraper's CSV) is one record; every other source's statement of it is kept with the record,
-- each with where exactly it says it (sheet and row, or line) and what it says, so that where
-- they disagree both readings are visible. JSON: statements are read and written whole.
ALTER TABLE inspections ADD COLUMN statements TEXT NOT NULL DEFAULT '[]';
COMMENT ON COLUMN inspections.statements IS 'Other sources'' statements of this publication (JSON array: source, source_url, sha256, retrieved_at, locator, start_date, published, judgements)';
