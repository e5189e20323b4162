-- After "postkontor dkim rotate" (done by the driver before this
-- script) the next message is signed with the new selector.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local sig = t.signs("rotated", "192.0.2.10", "alice@example.se",
                    {{"From", "alice@example.se"}}, "after rotation\r\n")
local want = "s=" .. os.getenv("NEW_SELECTOR") .. ";"
if not string.find(sig, want, 1, true) then
    t.fail("not signed with the new selector: " .. sig)
end
t.ok("signed with the new selector")
