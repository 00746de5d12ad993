//! When a fetcher runs: a cron expression from the configuration, in UTC. Five fields
//! (`minute hour day-of-month month day-of-week`), or six with seconds first, or an alias
//! (`@daily`, `@weekly`, `@hourly`); `off` for never. Parsed once at start-up: a bad expression
//! stops the server with a message naming the setting.

use chrono::{DateTime, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds};

/// A parsed schedule.
#[derive(Clone)]
pub struct Schedule {
    expression: String,
    cron: Cron,
}

impl std::fmt::Debug for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Schedule").field(&self.expression).finish()
    }
}

/// A setting that is not a schedule.
#[derive(Debug, thiserror::Error)]
#[error(
    "{setting}: `{expression}` is not a schedule ({reason}); write a cron expression in UTC, five fields \
     `minute hour day-of-month month day-of-week` (e.g. `30 5 * * *`, daily at 05:30) or six with seconds \
     first, an alias such as `@daily`, or `off`"
)]
pub struct BadSchedule {
    /// The setting (environment variable) it came from.
    pub setting: String,
    /// What it said.
    pub expression: String,
    /// The parser's reason.
    pub reason: String,
}

impl Schedule {
    /// Parses `expression`, given in `setting`; `None` for `off`.
    pub fn parse(setting: &str, expression: &str) -> Result<Option<Schedule>, BadSchedule> {
        let expression = expression.trim();
        if expression.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let bad =
            |reason: String| BadSchedule { setting: setting.to_owned(), expression: expression.to_owned(), reason };
        if expression.len() > 200 {
            return Err(bad("longer than 200 characters".into()));
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .build()
            .parse(expression)
            .map_err(|e| bad(e.to_string()))?;
        let schedule = Schedule { expression: expression.to_owned(), cron };
        // A pattern that never fires (30 February) is as wrong as one that does not parse.
        if schedule.next_after(Utc::now()).is_none() {
            return Err(bad("it never fires".into()));
        }
        Ok(Some(schedule))
    }

    /// The expression as configured.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The first fire time strictly after `t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron.find_next_occurrence(&t, false).ok()
    }

    /// The time between the next two fire times after `t`: how often it runs.
    pub fn interval(&self, t: DateTime<Utc>) -> Option<chrono::Duration> {
        let first = self.next_after(t)?;
        Some(self.next_after(first)? - first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn daily_weekly_and_seconds() {
        let daily = Schedule::parse("X", "30 5 * * *").ok().flatten().expect("daily");
        assert_eq!(daily.next_after(at("2026-12-02T05:30:00Z")), Some(at("2026-12-03T05:30:00Z")));
        assert_eq!(daily.next_after(at("2026-12-02T05:29:59Z")), Some(at("2026-12-02T05:30:00Z")));
        assert_eq!(daily.interval(at("2026-12-02T00:00:00Z")), Some(chrono::Duration::days(1)));
        let weekly = Schedule::parse("X", "0 6 * * MON").ok().flatten().expect("weekly");
        // 2026-12-02 is a Wednesday.
        assert_eq!(weekly.next_after(at("2026-12-02T00:00:00Z")), Some(at("2026-12-07T06:00:00Z")));
        assert_eq!(weekly.interval(at("2026-12-02T00:00:00Z")), Some(chrono::Duration::weeks(1)));
        let quick = Schedule::parse("X", "*/5 * * * * *").ok().flatten().expect("seconds");
        assert_eq!(quick.next_after(at("2026-12-02T00:00:01Z")), Some(at("2026-12-02T00:00:05Z")));
        assert!(Schedule::parse("X", " off ").is_ok_and(|s| s.is_none()));
    }

    #[test]
    fn a_bad_expression_names_its_setting() {
        let err = Schedule::parse("LACS_SCHEDULE_OFSTED", "every day").expect_err("bad");
        let message = err.to_string();
        assert!(message.starts_with("LACS_SCHEDULE_OFSTED: `every day` is not a schedule"), "{message}");
        assert!(Schedule::parse("X", "0 0 30 2 *").is_err(), "30 February never comes");
        assert!(Schedule::parse("X", "61 * * * *").is_err());
    }
}
