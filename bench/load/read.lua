-- wrk script for the authenticated read: GET /api/dashboard/summary with a user's token
-- (the first line of $AURONEX_LOAD_TOKENS).
local token = io.lines(os.getenv("AURONEX_LOAD_TOKENS"))()
wrk.headers["Authorization"] = "Bearer " .. token
