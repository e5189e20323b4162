-- Group syntax in From is refused.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
t.refused("group", "alice@example.se",
          {{"From", "Team: alice@example.se;"}})
t.refused("empty group", "alice@example.se", {{"From", "undisclosed:;"}})
