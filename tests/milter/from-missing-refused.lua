-- A login's message without a From field is refused.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
t.refused("no From", "alice@example.se",
          {{"To", "x@elsewhere.example"}, {"Subject", "anonymous"}})
