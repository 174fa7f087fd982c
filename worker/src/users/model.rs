//! The user record as stored (with its password hash) and the view that leaves the Worker
//! (without it): the two are different types so a hash can never be serialised by mistake.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::auth::password::StoredPassword;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Staff,
    Client,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Free,
    Pro,
    Premium,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Staff => "staff",
            Self::Client => "client",
        }
    }
}

impl FromStr for Role {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        match text {
            "admin" => Ok(Self::Admin),
            "staff" => Ok(Self::Staff),
            "client" => Ok(Self::Client),
            _ => Err(()),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Plan {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Pro => "pro",
            Self::Premium => "premium",
        }
    }
}

/// A row of `users`, secrets included. Never serialised: convert with [`User::view`].
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub password_salt: String,
    pub password_iterations: u32,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub plan: Plan,
    pub is_active: u8,
    pub created_at: String,
}

/// What clients see of a user (`GET /api/auth/me/` and friends).
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub is_active: bool,
    pub plan: Plan,
    pub created_at: String,
}

impl User {
    pub fn stored_password(&self) -> StoredPassword {
        StoredPassword {
            hash: self.password_hash.clone(),
            salt: self.password_salt.clone(),
            iterations: self.password_iterations,
        }
    }

    pub fn is_active(&self) -> bool {
        self.is_active != 0
    }

    pub fn view(&self) -> UserView {
        UserView {
            id: self.id.clone(),
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            role: self.role,
            is_staff: matches!(self.role, Role::Admin | Role::Staff),
            is_superuser: self.role == Role::Admin,
            is_active: self.is_active(),
            plan: self.plan,
            created_at: self.created_at.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> User {
        User {
            id: "u1".into(),
            email: "a@b.co".into(),
            password_hash: "HASH".into(),
            password_salt: "SALT".into(),
            password_iterations: 100_000,
            first_name: "Ana".into(),
            last_name: "Lima".into(),
            role,
            plan: Plan::Free,
            is_active: 1,
            created_at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn the_view_carries_no_secret() {
        let json = serde_json::to_string(&user(Role::Client).view()).unwrap();
        assert!(!json.contains("HASH") && !json.contains("SALT") && !json.contains("password"));
    }

    #[test]
    fn staff_flags_follow_the_role() {
        let admin = user(Role::Admin).view();
        assert!(admin.is_staff && admin.is_superuser);
        let staff = user(Role::Staff).view();
        assert!(staff.is_staff && !staff.is_superuser);
        let client = user(Role::Client).view();
        assert!(!client.is_staff && !client.is_superuser);
    }

    #[test]
    fn roles_parse_only_known_names() {
        assert_eq!("staff".parse::<Role>(), Ok(Role::Staff));
        assert!("root".parse::<Role>().is_err());
        assert!("Admin".parse::<Role>().is_err());
    }
}
