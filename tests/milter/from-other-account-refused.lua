-- A login cannot put another account's address in From, with any
-- spelling of it.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
t.refused("another account", "alice@example.se", {{"From", "bob@example.se"}})
t.refused("another account, upper case", "alice@example.se",
          {{"From", "Bob <BOB@EXAMPLE.SE>"}})
t.refused("outside address", "alice@example.se",
          {{"From", "ceo@bank.example"}})
t.refused("catch-all does not count", "alice@example.se",
          {{"From", "nobody@example.se"}})
