//! The read side: an immutable in-memory snapshot of every public record, tagged with the
//! dataset version it was loaded at. The whole dataset is a few MB, so every request reads a
//! consistent view with no database round trip; the server swaps in a new snapshot when the
//! version in the database changes.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::StoreError;
use crate::db::AnyConnection;
use crate::domain::*;
use crate::rows::*;
use crate::stored::current_version;
use crate::tables::{changes, code_changes, fetch_runs, inspections, interventions, judgements, successions};

/// Row counts of every table, for `/v1/meta`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableCounts {
    /// Local authorities, current and retired.
    pub local_authorities: usize,
    /// Reorganisation links.
    pub successions: usize,
    /// Ofsted publications.
    pub inspections: usize,
    /// Judgements across all inspections.
    pub judgements: usize,
    /// DfE interventions.
    pub interventions: usize,
    /// Fetch and import runs.
    pub fetch_runs: i64,
    /// Entries in the change log.
    pub changes: i64,
    /// Indicators of the catalogue.
    pub indicators: usize,
    /// Indicator figures (councils, regions, England; suppressed ones included).
    pub indicator_values: usize,
}

/// The most records one council has of each kind ([`Dataset::most_of_one_council`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CouncilMaxima {
    /// Inspections and visits.
    pub inspections: usize,
    /// Interventions.
    pub interventions: usize,
    /// Indicator figures.
    pub figures: usize,
}

/// One source of records, as the records themselves say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceSummary {
    /// The source's name.
    pub source: String,
    /// The document or site it was read from (the most recent record's).
    pub source_url: String,
    /// The earliest and latest retrieval among its records.
    pub first_retrieved_at: DateTime<Utc>,
    /// The latest retrieval among its records.
    pub last_retrieved_at: DateTime<Utc>,
    /// How many records come from it.
    pub records: usize,
}

/// An immutable snapshot of the published data.
#[derive(Debug, Default)]
pub struct Dataset {
    /// The dataset version the snapshot was loaded at.
    pub version: i64,
    /// When the data last changed.
    pub updated_at: DateTime<Utc>,
    /// Every LA, sorted by name then GSS code.
    pub local_authorities: Vec<LocalAuthority>,
    /// Every inspection, sorted by publication date then id.
    pub inspections: Vec<Inspection>,
    /// Every intervention, sorted by start date (unknown last) then id.
    pub interventions: Vec<Intervention>,
    /// Every reorganisation link.
    pub successions: Vec<Succession>,
    /// Every change of a council's code, by former code.
    pub code_changes: Vec<CodeChange>,
    /// Table sizes.
    pub counts: TableCounts,
    /// Sources of the records.
    pub sources: Vec<SourceSummary>,
    /// The latest fetch runs, newest first.
    pub recent_runs: Vec<FetchRun>,
    /// The whole change log, oldest first; the last id is the change-feed position of this snapshot.
    pub changes: Vec<Change>,
    /// SHA-256s of the source documents of which an archived copy is held (filled by the server
    /// from its archive directory).
    pub archived: std::collections::HashSet<String>,
    /// The indicator catalogue, by id.
    pub indicators: Vec<Indicator>,
    /// Every indicator figure, sorted by indicator, period, area code.
    pub indicator_values: Vec<IndicatorValue>,
    indicator_ranges: HashMap<String, std::ops::Range<usize>>,
    indicator_values_by_area: HashMap<String, Vec<usize>>,
    la_by_key: HashMap<String, usize>,
    inspection_by_id: HashMap<String, usize>,
    intervention_by_id: HashMap<String, usize>,
    inspections_by_la: HashMap<String, Vec<usize>>,
    interventions_by_la: HashMap<String, Vec<usize>>,
}

impl Dataset {
    /// Reads every public record from the database into a snapshot.
    pub fn load(conn: &mut AnyConnection) -> Result<Dataset, StoreError> {
        // One read transaction: the snapshot is consistent with the version it carries.
        conn.transaction(|conn| {
            // PostgreSQL's default isolation would let a run that commits during the load into
            // later statements: the snapshot (and a release cut from it) must be one point in time.
            if let AnyConnection::Postgresql(c) = conn {
                use diesel::connection::SimpleConnection;
                c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
            }
            let (version, updated_at) = current_version(conn)?;
            let local_authorities = crate::stored::all_local_authorities(conn)?;
            let successions = successions::table
                .select(SuccessionRow::as_select())
                .order((successions::predecessor, successions::successor))
                .load(conn)?
                .into_iter()
                .map(Succession::from)
                .collect();
            let mut judgements_by_inspection: HashMap<String, Vec<JudgementRow>> = HashMap::new();
            for j in judgements::table.select(JudgementRow::as_select()).load(conn)? {
                judgements_by_inspection.entry(j.inspection_id.clone()).or_default().push(j);
            }
            let inspections = inspections::table
                .select(InspectionRow::as_select())
                .load(conn)?
                .into_iter()
                .map(|r| {
                    let js = judgements_by_inspection.remove(&r.id).unwrap_or_default();
                    inspection_from_rows(r, &js)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let interventions = interventions::table
                .select(InterventionRow::as_select())
                .load(conn)?
                .into_iter()
                .map(Intervention::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            let fetch_runs: i64 = fetch_runs::table.count().get_result(conn)?;
            let changes = changes::table
                .order(changes::id)
                .select(ChangeRow::as_select())
                .load(conn)?
                .into_iter()
                .map(Change::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            let recent_runs = crate::stored::recent_runs(conn, 20)?;
            let aliases = crate::stored::inspection_aliases(conn)?;
            let indicators = crate::rows::all_indicators(conn)?;
            let indicator_values = crate::rows::all_indicator_values(conn)?;
            let mut dataset = Dataset::build(
                version,
                updated_at,
                local_authorities,
                inspections,
                interventions,
                successions,
                fetch_runs,
                changes,
                recent_runs,
            )
            .with_indicators(indicators, indicator_values);
            dataset.code_changes = code_changes::table
                .select(CodeChangeRow::as_select())
                .order(code_changes::former_gss)
                .load(conn)?
                .into_iter()
                .map(CodeChange::from)
                .collect();
            // Ids a record was published under before it became one with the same file under its
            // Ofsted file id still name it.
            for (alias, id) in aliases {
                if let Some(&i) = dataset.inspection_by_id.get(&id) {
                    dataset.inspection_by_id.entry(alias).or_insert(i);
                }
            }
            Ok(dataset)
        })
    }

    /// Adds the indicator catalogue and figures, with their indexes.
    fn with_indicators(mut self, indicators: Vec<Indicator>, mut values: Vec<IndicatorValue>) -> Dataset {
        values.sort_by(|a, b| (&a.indicator, &a.period, &a.area_code).cmp(&(&b.indicator, &b.period, &b.area_code)));
        let mut ranges: HashMap<String, std::ops::Range<usize>> = HashMap::new();
        let mut by_area: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, v) in values.iter().enumerate() {
            ranges.entry(v.indicator.clone()).and_modify(|r| r.end = i + 1).or_insert(i..i + 1);
            by_area.entry(v.area_code.clone()).or_default().push(i);
        }
        self.counts.indicators = indicators.len();
        self.counts.indicator_values = values.len();
        self.indicators = indicators;
        self.indicator_values = values;
        self.indicator_ranges = ranges;
        self.indicator_values_by_area = by_area;
        self
    }

    /// An indicator of the catalogue by id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// Every figure of one indicator, by period then area code.
    pub fn values_of_indicator(&self, id: &str) -> &[IndicatorValue] {
        self.indicator_ranges.get(id).map_or(&[], |r| &self.indicator_values[r.clone()])
    }

    /// Every figure for one area (a council's GSS code, a region's code, England's), by
    /// indicator then period.
    pub fn values_of_area<'a>(&'a self, area_code: &str) -> impl Iterator<Item = &'a IndicatorValue> + 'a {
        let idx = self.indicator_values_by_area.get(area_code).map(Vec::as_slice).unwrap_or_default();
        idx.iter().map(|&i| &self.indicator_values[i])
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build(
        version: i64,
        updated_at: DateTime<Utc>,
        mut local_authorities: Vec<LocalAuthority>,
        mut inspections: Vec<Inspection>,
        mut interventions: Vec<Intervention>,
        successions: Vec<Succession>,
        fetch_runs: i64,
        changes: Vec<Change>,
        recent_runs: Vec<FetchRun>,
    ) -> Dataset {
        local_authorities.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.gss_code.cmp(&b.gss_code)));
        inspections.sort_by(|a, b| a.published.cmp(&b.published).then_with(|| a.id.cmp(&b.id)));
        let aliases = fold_interventions(&mut interventions);
        interventions.sort_by(|a, b| {
            let key = |i: &Intervention| (i.start_date.is_none(), i.start_date);
            key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
        });

        let mut la_by_key = HashMap::new();
        for (i, la) in local_authorities.iter().enumerate() {
            let keys = std::iter::once(&la.gss_code)
                .chain(&la.former_gss_codes)
                .chain(&la.dfe_code)
                .chain(&la.ofsted_urn)
                .chain(std::iter::once(&la.slug));
            for key in keys {
                la_by_key.entry(key.to_ascii_lowercase()).or_insert(i);
            }
        }
        let mut inspections_by_la: HashMap<String, Vec<usize>> = HashMap::new();
        let mut inspection_by_id = HashMap::new();
        for (i, insp) in inspections.iter().enumerate() {
            inspection_by_id.insert(insp.id.clone(), i);
            inspections_by_la.entry(insp.la.clone()).or_default().push(i);
        }
        let mut interventions_by_la: HashMap<String, Vec<usize>> = HashMap::new();
        let mut intervention_by_id = HashMap::new();
        for (i, iv) in interventions.iter().enumerate() {
            intervention_by_id.insert(iv.id.clone(), i);
            interventions_by_la.entry(iv.la.clone()).or_default().push(i);
        }
        for (alias, id) in aliases {
            if let Some(&i) = intervention_by_id.get(&id) {
                intervention_by_id.insert(alias, i);
            }
        }

        let mut sources: BTreeMap<String, SourceSummary> = BTreeMap::new();
        let provenances = local_authorities
            .iter()
            .map(|r| &r.provenance)
            .chain(inspections.iter().map(|r| &r.provenance))
            .chain(interventions.iter().map(|r| &r.provenance))
            .chain(interventions.iter().flat_map(|r| &r.corroborations).map(|c| &c.provenance));
        for p in provenances {
            let s = sources.entry(p.source.clone()).or_insert_with(|| SourceSummary {
                source: p.source.clone(),
                source_url: p.source_url.clone(),
                first_retrieved_at: p.retrieved_at,
                last_retrieved_at: p.retrieved_at,
                records: 0,
            });
            s.records += 1;
            s.first_retrieved_at = s.first_retrieved_at.min(p.retrieved_at);
            if p.retrieved_at > s.last_retrieved_at {
                s.last_retrieved_at = p.retrieved_at;
                s.source_url = p.source_url.clone();
            }
        }

        let counts = TableCounts {
            local_authorities: local_authorities.len(),
            successions: successions.len(),
            inspections: inspections.len(),
            judgements: inspections.iter().map(|i| i.judgements.len()).sum(),
            interventions: interventions.len(),
            fetch_runs,
            changes: changes.len() as i64,
            indicators: 0,
            indicator_values: 0,
        };
        Dataset {
            version,
            updated_at,
            local_authorities,
            inspections,
            interventions,
            successions,
            code_changes: Vec::new(),
            counts,
            sources: sources.into_values().collect(),
            recent_runs,
            changes,
            archived: Default::default(),
            indicators: Vec::new(),
            indicator_values: Vec::new(),
            indicator_ranges: HashMap::new(),
            indicator_values_by_area: HashMap::new(),
            la_by_key,
            inspection_by_id,
            intervention_by_id,
            inspections_by_la,
            interventions_by_la,
        }
    }

    /// An LA by any of its codes or its slug: GSS code (current or former), DfE code, Ofsted URN.
    pub fn local_authority(&self, key: &str) -> Option<&LocalAuthority> {
        self.la_by_key.get(&key.trim().to_ascii_lowercase()).map(|&i| &self.local_authorities[i])
    }

    /// The id of the last change in this snapshot (0 when there is none): where a release made
    /// from it sits in the change feed.
    pub fn last_change_id(&self) -> i64 {
        self.changes.last().map_or(0, |c| c.id)
    }

    /// Where our archived copy of the document with this SHA-256 is served, when we hold one.
    pub fn archive_url(&self, sha256: &str) -> Option<String> {
        self.archived.contains(sha256).then(|| format!("/v1/archive/{sha256}.pdf"))
    }

    /// An inspection by Ofsted file id (or by an id it was published under before: see
    /// [`crate::stored::inspection_alias`]).
    pub fn inspection(&self, id: &str) -> Option<&Inspection> {
        self.inspection_by_id.get(id).map(|&i| &self.inspections[i])
    }

    /// An intervention by id.
    pub fn intervention(&self, id: &str) -> Option<&Intervention> {
        self.intervention_by_id.get(id).map(|&i| &self.interventions[i])
    }

    /// The most records any one council (or area, for figures) has of each kind: what a query
    /// over one council can read.
    pub fn most_of_one_council(&self) -> CouncilMaxima {
        let most = |index: &HashMap<String, Vec<usize>>| index.values().map(Vec::len).max().unwrap_or(0);
        CouncilMaxima {
            inspections: most(&self.inspections_by_la),
            interventions: most(&self.interventions_by_la),
            figures: most(&self.indicator_values_by_area),
        }
    }

    /// An LA's inspections, oldest publication first.
    pub fn inspections_of<'a>(&'a self, gss_code: &str) -> impl DoubleEndedIterator<Item = &'a Inspection> + 'a {
        let idx = self.inspections_by_la.get(gss_code).map(Vec::as_slice).unwrap_or_default();
        idx.iter().map(|&i| &self.inspections[i])
    }

    /// An LA's interventions, earliest start first.
    pub fn interventions_of<'a>(&'a self, gss_code: &str) -> impl DoubleEndedIterator<Item = &'a Intervention> + 'a {
        let idx = self.interventions_by_la.get(gss_code).map(Vec::as_slice).unwrap_or_default();
        idx.iter().map(|&i| &self.interventions[i])
    }

    /// The councils that took over from `gss_code`.
    pub fn successors_of<'a>(&'a self, gss_code: &'a str) -> impl Iterator<Item = &'a Succession> + 'a {
        self.successions.iter().filter(move |s| s.predecessor == gss_code)
    }

    /// The codes `gss_code`'s council was known by before, oldest change first.
    pub fn former_codes_of<'a>(&'a self, gss_code: &'a str) -> impl Iterator<Item = &'a CodeChange> + 'a {
        self.code_changes.iter().filter(move |c| c.gss_code == gss_code)
    }

    /// The councils `gss_code` took over from.
    pub fn predecessors_of<'a>(&'a self, gss_code: &'a str) -> impl Iterator<Item = &'a Succession> + 'a {
        self.successions.iter().filter(move |s| s.successor == gss_code)
    }
}

/// Publishes each intervention stated by several sources as one record: a stored record with
/// `same_as` is folded into the record it names (a name that no longer exists leaves it
/// standing alone), and `follows` links are redirected to the published records. Returns the
/// folded ids with the id each now resolves to.
fn fold_interventions(interventions: &mut Vec<Intervention>) -> HashMap<String, String> {
    let (mut folded, standing): (Vec<_>, Vec<_>) =
        std::mem::take(interventions).into_iter().partition(|i| i.same_as.is_some());
    *interventions = standing;
    folded.sort_by(|a, b| a.id.cmp(&b.id));
    let index: HashMap<String, usize> = interventions.iter().enumerate().map(|(n, i)| (i.id.clone(), n)).collect();
    let mut aliases = HashMap::new();
    for mut record in folded {
        match record.same_as.take().and_then(|target| index.get(&target).copied()) {
            Some(n) => {
                aliases.insert(record.id.clone(), interventions[n].id.clone());
                interventions[n].fold_in(record);
            }
            None => interventions.push(record),
        }
    }
    for record in interventions.iter_mut() {
        if let Some(target) = record.follows.as_ref().and_then(|f| aliases.get(f)) {
            record.follows = Some(target.clone());
        }
        // A record cannot continue itself (two of its sources may each link the other).
        if record.follows.as_ref() == Some(&record.id) {
            record.follows = None;
        }
    }
    aliases
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::query::intervention_status::status_on;

    fn record(id: &str, kind: InterventionKind, start: &str, source: &str) -> Intervention {
        crate::domain::test_intervention(id, "E10000006", kind, start, source)
    }

    fn dataset(interventions: Vec<Intervention>) -> Dataset {
        Dataset::build(1, DateTime::UNIX_EPOCH, vec![], vec![], interventions, vec![], 0, vec![], vec![])
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_notice_stops_being_active_when_the_direction_that_follows_it_starts() {
        let notice = record("iv-notice", InterventionKind::ImprovementNotice, "2014-01-07", "seed");
        let mut direction = record("iv-direction", InterventionKind::StatutoryDirection, "2015-11-09", "seed");
        direction.follows = Some(notice.id.clone());
        let ds = dataset(vec![notice, direction]);
        let (notice, direction) = (ds.intervention("iv-notice").unwrap(), ds.intervention("iv-direction").unwrap());
        assert!(status_on(&ds, notice, day("2015-11-08")).in_force());
        assert!(!status_on(&ds, notice, day("2015-11-09")).in_force());
        assert!(status_on(&ds, direction, day("2015-11-09")).in_force());
    }

    #[test]
    fn another_sources_record_is_folded_in_and_its_links_redirected() {
        let notice = record("iv-notice", InterventionKind::ImprovementNotice, "2014-01-07", "seed");
        let direction = record("iv-direction", InterventionKind::StatutoryDirection, "2015-11-09", "seed");
        let mut fetched_notice = record("iv-govuk-notice", InterventionKind::ImprovementNotice, "2014-01-07", "govuk");
        fetched_notice.same_as = Some(notice.id.clone());
        let mut fetched_direction =
            record("iv-govuk-direction", InterventionKind::StatutoryDirection, "2015-11-09", "govuk");
        fetched_direction.same_as = Some(direction.id.clone());
        fetched_direction.follows = Some(fetched_notice.id.clone());
        // A stored statement of an event whose record is gone stands alone.
        let mut orphan = record("iv-orphan", InterventionKind::CommissionerAppointed, "2016", "govuk");
        orphan.same_as = Some("iv-gone".into());
        let ds = dataset(vec![notice, direction, fetched_notice, fetched_direction, orphan]);
        assert_eq!(ds.interventions.len(), 3);
        let direction = ds.intervention("iv-govuk-direction").unwrap();
        assert_eq!(direction.id, "iv-direction");
        assert_eq!(
            direction.follows.as_deref(),
            Some("iv-notice"),
            "the fetched link, redirected to the published record"
        );
        assert_eq!(direction.corroborations[0].id, "iv-govuk-direction");
        assert_eq!(
            direction.source_urls,
            ["https://example.org/iv-direction", "https://example.org/iv-govuk-direction"]
        );
        assert!(ds.intervention("iv-orphan").is_some_and(|o| o.same_as.is_none()));
        assert_eq!(ds.interventions_of("E10000006").count(), 3);
    }
}
