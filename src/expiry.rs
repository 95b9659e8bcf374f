//! Token expiry (docs/configuration.md, "Token expiry"): AWS IAM Identity Center SCIM tokens
//! stop working one year after they are generated and nothing tells the operator beforehand,
//! so provisioning fails silently on that day. The `token_issued` setting (the day the token
//! was generated in the console) lets every run warn in the last [`WARN_DAYS`] days, and lets
//! `doctor` fail once the day has passed.
//!
//! "Today" is always a parameter of the pure functions here, so tests never depend on the
//! calendar; only [`today`] reads the clock.

use std::fmt;

use time::{Date, Duration, OffsetDateTime};

use crate::settings::layer::Setting;

/// AWS tokens expire this many days after they are generated.
pub const LIFETIME_DAYS: i64 = 365;
/// Runs warn from this many days before expiry on.
pub const WARN_DAYS: i64 = 30;

/// How to get a new token, said wherever expiry is mentioned.
pub const ROTATE: &str = "generate a new token in the IAM Identity Center console (Settings, \
     Automatic provisioning, Generate token), put it where aws-ilm reads it and set \
     token_issued to today";

/// A calendar day, `YYYY-MM-DD`: the value of `token_issued`. A config file may write it as a
/// string or as a TOML date (`token_issued = 2026-01-15`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day(pub Date);

const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl Setting for Day {
    fn parse(text: &str) -> Result<Self, String> {
        Date::parse(text.trim(), FORMAT)
            .map(Day)
            .map_err(|_| format!("expected a date as YYYY-MM-DD, got '{text}'"))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(FORMAT) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "{}", self.0),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Toml(toml::value::Datetime),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Text(t) => t,
            Raw::Toml(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            Raw::Toml(dt) => {
                return Err(serde::de::Error::custom(format!(
                    "token_issued: expected a date as YYYY-MM-DD, got '{dt}'"
                )));
            }
        };
        Day::parse(&text).map_err(|e| serde::de::Error::custom(format!("token_issued: {e}")))
    }
}

/// Where a token stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// More than [`WARN_DAYS`] left.
    Valid { expires: Day, days_left: i64 },
    /// Expires within [`WARN_DAYS`] (0: today is its last day).
    Soon { expires: Day, days_left: i64 },
    /// The expiry day has passed.
    Expired { expires: Day, days_ago: i64 },
}

/// The day a token issued on `issued` stops working, and where it stands on `today`.
pub fn expiry(issued: Day, today: Date) -> Expiry {
    let expires = issued.0.saturating_add(Duration::days(LIFETIME_DAYS));
    let days_left = (expires - today).whole_days();
    let expires = Day(expires);
    match days_left {
        d if d <= 0 => Expiry::Expired {
            expires,
            days_ago: -d,
        },
        d if d <= WARN_DAYS => Expiry::Soon {
            expires,
            days_left: d,
        },
        d => Expiry::Valid {
            expires,
            days_left: d,
        },
    }
}

impl Expiry {
    /// One sentence on the token's state, for a warning line or a `doctor` check.
    pub fn describe(self) -> String {
        match self {
            Expiry::Valid { expires, days_left } => {
                format!("the token expires on {expires} ({days_left} days left)")
            }
            Expiry::Soon { expires, days_left } => {
                format!("the token expires on {expires}, in {days_left} days")
            }
            Expiry::Expired {
                expires,
                days_ago: 0,
            } => format!("the token expired today ({expires})"),
            Expiry::Expired { expires, days_ago } => {
                format!("the token expired on {expires}, {days_ago} days ago")
            }
        }
    }

    /// The warning every run prints on stderr, or `None` while more than [`WARN_DAYS`] are
    /// left.
    pub fn warning(self) -> Option<String> {
        match self {
            Expiry::Valid { .. } => None,
            Expiry::Soon { .. } | Expiry::Expired { .. } => Some(format!(
                "{} (token_issued + {LIFETIME_DAYS} days): {ROTATE}",
                self.describe()
            )),
        }
    }
}

/// Today in UTC, the calendar AWS counts the year in.
pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn parses_dates_and_refuses_the_rest() {
        assert_eq!(day(" 2026-01-15 ").0, date!(2026 - 01 - 15));
        for bad in ["2026-13-01", "15.01.2026", "2026-1-5x", "", "yesterday"] {
            let e = Day::parse(bad).unwrap_err();
            assert!(e.contains("YYYY-MM-DD"), "{bad}: {e}");
        }
        assert_eq!(day("2026-01-05").to_string(), "2026-01-05");
    }

    #[test]
    fn the_year_and_the_warning_window() {
        let issued = day("2025-03-01");
        // 2026-03-01 is the expiry day.
        let e = expiry(issued, date!(2026 - 01 - 29));
        assert!(matches!(e, Expiry::Valid { days_left: 31, .. }), "{e:?}");
        assert_eq!(e.warning(), None);
        let e = expiry(issued, date!(2026 - 01 - 30));
        assert!(matches!(e, Expiry::Soon { days_left: 30, .. }), "{e:?}");
        let e = expiry(issued, date!(2026 - 01 - 31));
        assert_eq!(
            e,
            Expiry::Soon {
                expires: day("2026-03-01"),
                days_left: 29
            }
        );
        let w = e.warning().unwrap();
        assert!(w.contains("2026-03-01") && w.contains("29 days"), "{w}");
        assert!(w.contains("Generate token"), "{w}");
        let e = expiry(issued, date!(2026 - 02 - 28));
        assert!(matches!(e, Expiry::Soon { days_left: 1, .. }), "{e:?}");
        let e = expiry(issued, date!(2026 - 03 - 01));
        assert!(matches!(e, Expiry::Expired { days_ago: 0, .. }), "{e:?}");
        assert!(e.warning().unwrap().contains("expired today"));
        let e = expiry(issued, date!(2026 - 03 - 11));
        assert!(
            e.warning()
                .unwrap()
                .contains("expired on 2026-03-01, 10 days ago"),
            "{e:?}"
        );
    }

    #[test]
    fn a_day_from_toml_as_text_or_date() {
        #[derive(serde::Deserialize)]
        struct T {
            d: Day,
        }
        let t: T = toml::from_str("d = 2026-01-15").unwrap();
        assert_eq!(t.d, day("2026-01-15"));
        let t: T = toml::from_str("d = \"2026-01-15\"").unwrap();
        assert_eq!(t.d, day("2026-01-15"));
        for bad in ["d = \"soon\"", "d = 2026-01-15T10:00:00Z", "d = 12"] {
            assert!(toml::from_str::<T>(bad).is_err(), "{bad}");
        }
    }
}
