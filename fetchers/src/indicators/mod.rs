//! Indicators: the numbers behind the grades. DfE's children's social care statistics
//! (workforce, children looked after, children in need, referrals), MHCLG's revenue outturn
//! on children's social care (RO3) and DfE's section 251 outturn 2008-09 to 2013-14, per
//! council, region and England, per period.
//!
//! One job a file: `files` holds the bundled copies (`data/seed/context/`) and their provenance,
//! `catalogue` reads the indicator catalogue, `table` reads figures from a file in DfE's
//! open-data CSV shape (the shape of Explore Education Statistics data sets), `ro3` turns the RO3
//! spreadsheet into that shape, `s251` does the same for each year's section 251 file (its lines
//! mapped by hand, year by year), `derived` computes the figures lacs derives from two published
//! ones (spending per child), `import` checks and writes them (inside the seed import), and `dfe_stats` is
//! `lacs fetch dfe-stats`.

mod catalogue;
pub mod derived;
pub mod dfe_stats;
mod files;
mod import;
pub mod ro3;
pub mod s251;
mod table;

pub use catalogue::read_catalogue;
pub use files::{IndicatorFile, IndicatorFiles};
pub use import::read;
pub(crate) use import::write;
pub use table::{AreaIndex, read_values};

/// The version of the indicator readers, recorded as each figure's `parser_version`.
pub const PARSER_VERSION: &str = "indicators-1";
