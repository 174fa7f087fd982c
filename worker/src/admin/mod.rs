//! The admin back office: user management queries, settings, the audit log, and the query
//! parameters admin lists share (filters and pages).

pub mod audit;
pub mod settings;
pub mod users;

use worker::Url;

use crate::http::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;

/// A list request's query string, read once.
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn from_url(url: &Url) -> Query {
        Query { pairs: url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect() }
    }

    #[cfg(test)]
    pub fn parse(query: &str) -> Query {
        Query { pairs: worker::url::form_urlencoded::parse(query.as_bytes()).into_owned().collect() }
    }

    /// A non-empty text filter, at most 100 characters.
    pub fn text(&self, name: &'static str) -> ApiResult<Option<String>> {
        let value = self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
        match value.filter(|v| !v.is_empty()) {
            Some(v) if v.chars().count() > 100 => Err(ApiError::validation(name, format!("{name} is too long"))),
            other => Ok(other),
        }
    }

    /// A filter that must be one of `allowed`.
    pub fn choice(&self, name: &'static str, allowed: &[&str]) -> ApiResult<Option<String>> {
        match self.text(name)? {
            Some(v) if !allowed.contains(&v.as_str()) => {
                Err(ApiError::validation(name, format!("{name} must be one of {}", allowed.join(", "))))
            }
            other => Ok(other),
        }
    }

    pub fn boolean(&self, name: &'static str) -> ApiResult<Option<bool>> {
        match self.text(name)?.as_deref() {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(_) => Err(ApiError::validation(name, format!("{name} must be true or false"))),
        }
    }

    fn number(&self, name: &'static str, default: u32, max: u32) -> ApiResult<u32> {
        match self.text(name)? {
            None => Ok(default),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| ApiError::validation(name, format!("{name} must be a whole number from 0 to {max}"))),
        }
    }

    /// `limit` (1 to 100, default 50) and `offset` (default 0).
    pub fn page(&self) -> ApiResult<(u32, u32)> {
        let limit = self.number("limit", DEFAULT_LIMIT, MAX_LIMIT)?;
        if limit == 0 {
            return Err(ApiError::validation("limit", "limit must be from 1 to 100"));
        }
        Ok((limit, self.number("offset", 0, 1_000_000)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_default_and_bound() {
        assert_eq!(Query::parse("").page().unwrap(), (50, 0));
        assert_eq!(Query::parse("limit=10&offset=20").page().unwrap(), (10, 20));
        for bad in ["limit=0", "limit=101", "limit=-1", "offset=x", "limit=1.5"] {
            assert_eq!(Query::parse(bad).page().unwrap_err().status, 422, "{bad}");
        }
    }

    #[test]
    fn filters_are_checked() {
        let query = Query::parse("role=admin&is_active=false&q=+ana+&plan=gold");
        assert_eq!(query.choice("role", &["admin", "client"]).unwrap().as_deref(), Some("admin"));
        assert_eq!(query.boolean("is_active").unwrap(), Some(false));
        assert_eq!(query.text("q").unwrap().as_deref(), Some("ana"));
        assert_eq!(query.choice("plan", &["free", "pro"]).unwrap_err().field.as_deref(), Some("plan"));
        assert_eq!(Query::parse("is_active=maybe").boolean("is_active").unwrap_err().status, 422);
    }
}
