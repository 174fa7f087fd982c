//! Payments that cannot be half applied. What a provider's event does (the plan, the
//! subscription row, the payment row) is computed first, from what D1 holds now, as a list of
//! statements; then those statements and the event's processed marker commit in one D1 batch,
//! which is one transaction: all of it lands or none of it does. A crash or a failed statement
//! anywhere in the batch leaves nothing behind, and the provider's retry finds the event
//! unprocessed and applies it whole. A replay (or a second delivery racing the first) fails on
//! the marker's primary key, which rolls back the whole batch, so it has no effect at all.
//!
//! The effect is computed from a snapshot (the user's plan and the version of their
//! subscription row); a guard statement in the batch fails it if either changed meanwhile, and
//! the caller computes again from the new state. Bots over a lowered plan's limit are stopped
//! after the commit ([`plans::stop_bots_over_limit`] closes positions at the venue, which no
//! transaction can hold); a replay of an already committed event finishes that step if a crash
//! cut it short.

use std::future::Future;

use worker::{D1Database, D1PreparedStatement, Env};

use super::{plans, repo};
use crate::users::Plan;

/// How often an effect is computed again when its snapshot changed before it could commit.
pub const ATTEMPTS: usize = 3;

/// What an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Already processed: nothing changed now.
    Duplicate,
}

/// The processed-event marker: provider and event id (its primary key), with the event's type.
pub struct Marker<'a> {
    pub provider: &'a str,
    pub event_id: &'a str,
    pub kind: &'a str,
    pub now: &'a str,
}

/// The state an effect was computed from.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub user_id: String,
    pub plan: Plan,
    /// `subscriptions.updated_at`, `None` without a row.
    pub subscription_version: Option<String>,
}

impl Snapshot {
    /// The user's plan and subscription version now; `None` for an unknown user.
    pub async fn read(db: &D1Database, user_id: &str) -> worker::Result<Option<Snapshot>> {
        let Some(plan) = plans::current(db, user_id).await? else { return Ok(None) };
        let subscription_version = repo::find_subscription(db, user_id).await?.map(|row| row.updated_at);
        Ok(Some(Snapshot { user_id: user_id.to_string(), plan, subscription_version }))
    }

    /// A statement that fails the batch unless the snapshot still holds: it inserts a second
    /// copy of the batch's own marker (a primary-key violation) when the plan or the
    /// subscription version differs, and does nothing when they are as read.
    fn guard(&self, db: &D1Database, marker: &Marker<'_>) -> worker::Result<D1PreparedStatement> {
        db.prepare(
            "INSERT INTO webhook_events (provider, event_id, type, user_id, received_at) \
             SELECT provider, event_id, type, user_id, received_at FROM webhook_events \
             WHERE provider = ?1 AND event_id = ?2 \
             AND NOT (coalesce((SELECT plan FROM users WHERE id = ?3), '') = ?4 \
                      AND coalesce((SELECT updated_at FROM subscriptions WHERE user_id = ?3), '') = ?5)",
        )
        .bind(&[
            marker.provider.into(),
            marker.event_id.into(),
            self.user_id.as_str().into(),
            self.plan.as_str().into(),
            self.subscription_version.clone().unwrap_or_default().into(),
        ])
    }

    async fn still_holds(&self, db: &D1Database) -> worker::Result<bool> {
        let now = Snapshot::read(db, &self.user_id).await?;
        Ok(now.is_some_and(|now| now.plan == self.plan && now.subscription_version == self.subscription_version))
    }
}

/// What an event does to one user, as statements to commit together.
pub struct Effect {
    statements: Vec<D1PreparedStatement>,
    snapshot: Option<Snapshot>,
    /// The plan the effect leaves the user on, when it changes it.
    new_plan: Option<Plan>,
}

impl Effect {
    /// Nothing but the marker (an event that is acknowledged and ignored).
    pub fn none() -> Effect {
        Effect { statements: Vec::new(), snapshot: None, new_plan: None }
    }

    /// An effect on the user of `snapshot`, checked against it when it commits.
    pub fn on(snapshot: Snapshot) -> Effect {
        Effect { statements: Vec::new(), snapshot: Some(snapshot), new_plan: None }
    }

    pub fn push(&mut self, statement: D1PreparedStatement) {
        self.statements.push(statement);
    }

    /// Moves the user to `plan` (nothing when they are on it already).
    pub fn set_plan(&mut self, db: &D1Database, plan: Plan, now: &str) -> worker::Result<()> {
        let Some(snapshot) = &self.snapshot else {
            return Err(worker::Error::RustError("a plan change needs the user's snapshot".into()));
        };
        if snapshot.plan != plan {
            self.statements.push(plans::plan_statement(db, &snapshot.user_id, plan, now)?);
            self.new_plan = Some(plan);
        }
        Ok(())
    }

    pub fn user_id(&self) -> Option<&str> {
        self.snapshot.as_ref().map(|s| s.user_id.as_str())
    }

    /// Commits the effect without a marker (changes made on the user's own request, where the
    /// provider's answer is the authority and repeating the request is harmless).
    pub async fn commit_alone(self, env: &Env, db: &D1Database) -> worker::Result<()> {
        if !self.statements.is_empty() {
            db.batch(self.statements).await?;
        }
        after_commit(env, self.snapshot.as_ref(), self.new_plan).await
    }
}

/// `Ok(None)`: the snapshot changed before the batch could commit; compute the effect again.
async fn commit(env: &Env, db: &D1Database, marker: &Marker<'_>, effect: Effect) -> worker::Result<Option<Outcome>> {
    let mut batch = vec![repo::event_marker_statement(
        db,
        marker.provider,
        marker.event_id,
        marker.kind,
        effect.user_id(),
        marker.now,
    )?];
    if let Some(snapshot) = &effect.snapshot {
        batch.push(snapshot.guard(db, marker)?);
    }
    batch.extend(effect.statements);
    if let Err(error) = db.batch(batch).await {
        if let Some(done) = repo::processed_event(db, marker.provider, marker.event_id).await? {
            finish_duplicate(env, done.user_id.as_deref()).await?;
            return Ok(Some(Outcome::Duplicate));
        }
        if let Some(snapshot) = &effect.snapshot {
            if !snapshot.still_holds(db).await? {
                return Ok(None);
            }
        }
        return Err(error);
    }
    after_commit(env, effect.snapshot.as_ref(), effect.new_plan).await?;
    Ok(Some(Outcome::Applied))
}

/// Whether the event is processed already; if so, finishes what a crash after its commit may
/// have left undone.
pub async fn already_processed(env: &Env, db: &D1Database, provider: &str, event_id: &str) -> worker::Result<bool> {
    match repo::processed_event(db, provider, event_id).await? {
        Some(done) => {
            finish_duplicate(env, done.user_id.as_deref()).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

async fn after_commit(env: &Env, snapshot: Option<&Snapshot>, new_plan: Option<Plan>) -> worker::Result<()> {
    if let (Some(snapshot), Some(plan)) = (snapshot, new_plan) {
        plans::after_plan_change(env, &snapshot.user_id, snapshot.plan, plan).await?;
    }
    Ok(())
}

async fn finish_duplicate(env: &Env, user_id: Option<&str>) -> worker::Result<()> {
    match user_id {
        Some(user_id) => plans::enforce_bot_limit(env, user_id).await.map(|_| ()),
        None => Ok(()),
    }
}

/// Computes an event's effect and commits it with its marker, computing again (up to
/// [`ATTEMPTS`] times) when the state it was computed from changed before the commit.
pub async fn apply<F, Fut>(env: &Env, db: &D1Database, marker: &Marker<'_>, mut compute: F) -> worker::Result<Outcome>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = worker::Result<Effect>>,
{
    for _ in 0..ATTEMPTS {
        if already_processed(env, db, marker.provider, marker.event_id).await? {
            return Ok(Outcome::Duplicate);
        }
        if let Some(outcome) = commit(env, db, marker, compute().await?).await? {
            return Ok(outcome);
        }
    }
    Err(worker::Error::RustError(format!(
        "{} {}: the user's plan kept changing; not applied",
        marker.provider, marker.event_id
    )))
}
