-- One From field with several addresses is refused.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
t.refused("address list", "alice@example.se",
          {{"From", "alice@example.se, bob@example.se"}})
t.refused("two angle-addrs", "alice@example.se",
          {{"From", "Alice <alice@example.se> <bob@example.se>"}})
