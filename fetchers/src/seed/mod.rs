//! The bundled seed dataset (`data/seed/`): every LA, the inspection history and the curated
//! interventions list, with the checked-in tables that complete and correct them.
//!
//! Every file (the indicator files of `context/` too) is read in full and checked before anything
//! is written. A bad row is reported with the file (the path actually read), line and reason, and
//! rejects the whole import; so does a file that would fall more than [`REMOVAL_LIMIT_PERCENT`]
//! below the most it published within the last [`REMOVAL_WINDOW_DAYS`] days, unless removals are
//! allowed. Either way the database is left as it was. Then everything is written in one
//! transaction: all of it or, on any failure, none of it.
//!
//! One job a file: `files` reads the CSVs and reports bad lines, `names` resolves councils'
//! names (shared with the GOV.UK fetcher), `local_authorities`, `inspections` (with
//! `focused_visits`) and `interventions` read each group of files into records, `read` reads them
//! all (and the indicators), `losses` measures what an import would take away against what
//! `history` says each file published, and `store` writes.

mod files;
mod focused_visits;
mod history;
mod inspections;
mod interventions;
mod local_authorities;
mod losses;
mod names;
mod official;
mod read;
mod store;

pub use files::{FILES, MAX_FILE_BYTES, PARSER_VERSION, SeedFiles};
pub use focused_visits::{
    visit_id, write_csv as write_focused_visits_csv, write_csv_with as write_focused_visits_csv_with,
};
pub use local_authorities::slugify;
pub use losses::{REMOVAL_LIMIT_PERCENT, REMOVAL_WINDOW_DAYS, Removals};
pub use names::{CouncilNames, normalise_name};
pub(crate) use read::HISTORY_SOURCE;
pub use read::{SeedData, read};
pub use store::{Seed, SeedReport, import, import_with};
