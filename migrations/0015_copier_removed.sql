-- Followers a publisher removed: they cannot subscribe again with the invite code (which they
-- may know) until the publisher lifts it (DELETE /api/copier/channels/{id}/removed/{user_id}).
CREATE TABLE copier_removed (
    channel_id TEXT NOT NULL REFERENCES copier_channels (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    removed_at TEXT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
