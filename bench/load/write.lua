-- wrk script for the write scenario: each thread is its own user (one connection per thread)
-- and alternates `POST /api/bots` with `DELETE /api/bots/{id}` of the bot it just created, so
-- a user never holds more than one bot. Tokens come one per line from $AURONEX_LOAD_TOKENS.
local next_token = 1
local tokens = {}
for line in io.lines(os.getenv("AURONEX_LOAD_TOKENS")) do tokens[#tokens + 1] = line end

function setup(thread)
  thread:set("token", tokens[next_token])
  next_token = next_token + 1
end

local created = nil
local body = '{"name":"Load bot","exchange":"binance","symbols":["BTC/USDT"],"capital":100,' ..
             '"strategy":"rsi","params":{"period":2,"take_profit_pct":5,"stop_loss_pct":5}}'

function request()
  local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  if created then
    local id = created
    created = nil
    return wrk.format("DELETE", "/api/bots/" .. id, headers)
  end
  return wrk.format("POST", "/api/bots", headers, body)
end

function response(status, headers, body)
  if status == 201 then
    created = string.match(body, '"id":"(%x+)"')
  end
end
