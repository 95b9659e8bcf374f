-- POST /Users with a userName unique per thread and request.
local path = os.getenv("BASE_PATH")
local token = os.getenv("TOKEN")
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local name = "bench-" .. tid .. "-" .. n
  local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. name ..
    '","displayName":"B ' .. name .. '","active":true,"name":{"givenName":"B","familyName":"N"},' ..
    '"emails":[{"value":"' .. name .. '@example.com","type":"work","primary":true}]}'
  return wrk.format("POST", path .. "/Users",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
local non201 = 0
response = function(status, headers, body)
  if status ~= 201 then non201 = non201 + 1 end
end
