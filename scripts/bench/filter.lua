-- GET /Users?filter=userName eq "<prefix><n>" for random n < USERS.
local users = tonumber(os.getenv("USERS") or "100000")
local prefix = os.getenv("PREFIX") or "seed-"
local path = os.getenv("BASE_PATH")
local token = os.getenv("TOKEN")
request = function()
  local n = math.random(0, users - 1)
  return wrk.format("GET", path .. "/Users?filter=userName%20eq%20%22" .. prefix .. n .. "%22",
    { ["Authorization"] = "Bearer " .. token })
end
