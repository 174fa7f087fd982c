//! Input rules for accounts: email normalisation and syntax, password and name lengths.

use crate::http::{ApiError, ApiResult};

pub const PASSWORD_MIN_CHARS: usize = 8;
/// PBKDF2 hashes any length, but a cap keeps one request's hashing cost bounded.
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const NAME_MAX_CHARS: usize = 100;
const EMAIL_MAX_CHARS: usize = 254;
const EMAIL_LOCAL_MAX_CHARS: usize = 64;

/// Trims and lower-cases an email, then checks its syntax (a pragmatic subset of RFC 5321).
pub fn email(raw: &str) -> ApiResult<String> {
    let email = raw.trim().to_lowercase();
    let invalid = || ApiError::validation("email", "email address is invalid");
    if email.is_empty() || email.chars().count() > EMAIL_MAX_CHARS {
        return Err(invalid());
    }
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let local_ok = !local.is_empty()
        && local.len() <= EMAIL_LOCAL_MAX_CHARS
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2);
    if local_ok && domain_ok {
        Ok(email)
    } else {
        Err(invalid())
    }
}

pub fn password(password: &str) -> ApiResult<()> {
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(ApiError::validation(
            "password",
            format!("password must be at least {PASSWORD_MIN_CHARS} characters"),
        ));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(ApiError::validation(
            "password",
            format!("password must be at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Trims a display name; refuses control characters and names over the length limit.
pub fn name(field: &'static str, raw: Option<&str>) -> ApiResult<String> {
    let name = raw.unwrap_or("").trim();
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(ApiError::validation(field, format!("{field} must be at most {NAME_MAX_CHARS} characters")));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::validation(field, format!("{field} contains control characters")));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(email("  Ana.Lima+bots@Example.COM ").unwrap(), "ana.lima+bots@example.com");
    }

    #[test]
    fn malformed_emails_are_refused_naming_the_field() {
        for bad in [
            "",
            "ana",
            "@example.com",
            "ana@",
            "ana@example",
            "ana@@example.com",
            "a b@example.com",
            "ana@exa_mple.com",
            ".ana@example.com",
            "ana..lima@example.com",
            "ana@-example.com",
            "ana@example.c",
        ] {
            let error = email(bad).unwrap_err();
            assert_eq!((error.status, error.field.as_deref()), (422, Some("email")), "{bad}");
        }
        assert!(email(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn password_length_is_bounded_in_characters() {
        assert!(password("1234567").is_err());
        assert!(password("12345678").is_ok());
        assert!(password(&"é".repeat(128)).is_ok());
        assert!(password(&"x".repeat(129)).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("first_name", Some("  Ana ")).unwrap(), "Ana");
        assert_eq!(name("first_name", None).unwrap(), "");
        assert_eq!(name("last_name", Some(&"x".repeat(101))).unwrap_err().field.as_deref(), Some("last_name"));
        assert!(name("last_name", Some("a\u{0}b")).is_err());
    }
}
