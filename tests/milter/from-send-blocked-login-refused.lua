-- An account whose state forbids sending may not send even as itself.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
t.refused("send-blocked", "mallory@example.se",
          {{"From", "mallory@example.se"}})
t.refused("not an account", "info@example.se", {{"From", "info@example.se"}})
