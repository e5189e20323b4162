-- Two From fields are refused, even when both are the login's own.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
t.refused("two From fields", "alice@example.se",
          {{"From", "alice@example.se"}, {"Subject", "x"},
           {"From", "alice@example.se"}})
t.refused("own then other", "alice@example.se",
          {{"From", "alice@example.se"}, {"FROM", "bob@example.se"}})
