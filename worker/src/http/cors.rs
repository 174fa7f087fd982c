//! CORS for browser clients on other origins: only origins listed in `ALLOWED_ORIGINS`
//! (comma-separated, exact match) are told they may read responses. The dashboard itself is
//! served from the Worker's own origin and needs none of this.

/// Whether `origin` is in the comma-separated `allowed` list.
pub fn is_allowed(allowed: &str, origin: &str) -> bool {
    !origin.is_empty() && allowed.split(',').map(str::trim).any(|entry| !entry.is_empty() && entry == origin)
}

pub const ALLOW_HEADERS: &str = "authorization, content-type, stripe-signature";
pub const MAX_AGE_SECONDS: &str = "600";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_origins_match_exactly() {
        let allowed = "https://app.example.com, https://admin.example.com";
        assert!(is_allowed(allowed, "https://app.example.com"));
        assert!(is_allowed(allowed, "https://admin.example.com"));
        assert!(!is_allowed(allowed, "https://app.example.com.evil.io"));
        assert!(!is_allowed(allowed, "http://app.example.com"));
        assert!(!is_allowed("", "https://app.example.com"));
        assert!(!is_allowed(allowed, ""));
    }
}
