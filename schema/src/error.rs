//! The one error type of the data layer, shared by reads and writes.

use crate::rows::BadRow;

/// Why a database read or write failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// A stored row is outside its vocabulary.
    #[error(transparent)]
    BadRow(#[from] BadRow),
    /// The input was rejected; each line names the file, line and reason.
    #[error("{} rejected:\n{}", .what, .errors.join("\n"))]
    Rejected {
        /// What was being imported.
        what: String,
        /// One message per bad input line.
        errors: Vec<String>,
    },
}
