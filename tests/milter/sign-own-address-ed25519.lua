-- A login's message in a domain with an Ed25519 key is signed with
-- ed25519-sha256 (RFC 8463).
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local sig = t.signs("own-ed25519", "192.0.2.10", "dave@ed.example", {
    {"From", "dave@ed.example"},
    {"To", "someone@elsewhere.example"},
    {"Subject", "=?utf-8?q?r=C3=A4ksm=C3=B6rg=C3=A5s?="},
}, "8-bit text: r\195\164ksm\195\182rg\195\165s\r\n")
if not string.find(sig, "a=ed25519-sha256", 1, true) then
    t.fail("not ed25519-sha256: " .. sig)
end
t.ok("ed25519-sha256")
