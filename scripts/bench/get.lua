-- GET /Users/{id} for random seeded ids (one per line in IDS_FILE).
local path = os.getenv("BASE_PATH")
local token = os.getenv("TOKEN")
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do
  if #line > 0 then ids[#ids + 1] = line end
end
request = function()
  return wrk.format("GET", path .. "/Users/" .. ids[math.random(1, #ids)], { ["Authorization"] = "Bearer " .. token })
end
