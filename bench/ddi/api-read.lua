-- Management reads: the first page of models, with an API token.
request = function()
  return wrk.format("GET", "/api/v1/models?size=5", { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") })
end

-- The RESULT line, shared by this bench's scripts (looked up beside this file).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "result.lua")
