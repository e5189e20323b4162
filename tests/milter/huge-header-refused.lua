-- Signed header fields beyond the bound are refused for a login (the
-- milter's memory stays bounded); unsigned fields cost nothing.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local h = {{"From", "alice@example.se"}}
for i = 1, 2000 do
    h[#h + 1] = {"X-Filler", string.rep("z", 900)}
end
t.signs("many-unsigned-fields", "192.0.2.10", "alice@example.se", h, "x\r\n")
h = {{"From", "alice@example.se"}}
for i = 1, 200 do
    h[#h + 1] = {"To", string.rep("t", 900) .. "@elsewhere.example"}
end
t.refused("too many signed header fields", "alice@example.se", h)
