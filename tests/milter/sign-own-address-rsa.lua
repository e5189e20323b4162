-- A login's message From its own address is accepted and signed with
-- the domain's rsa-sha256 key.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local sig = t.signs("own-rsa", "192.0.2.10", "alice@example.se", {
    {"From", "Alice <alice@example.se>"},
    {"To", "Bob <bob@elsewhere.example>"},
    {"Subject", "dinner"},
    {"Date", "Thu, 26 Nov 2026 10:00:00 +0100"},
    {"Message-ID", "<m1@example.se>"},
}, "Hello  Bob,\r\n\r\ndinner at eight.\r\n")
if not string.find(sig, "a=rsa-sha256", 1, true) or
   not string.find(sig, "d=example.se", 1, true) or
   not string.find(sig, "h=from:from:", 1, true) then
    t.fail("signature fields: " .. sig)
end
t.ok("rsa-sha256 for d=example.se, From over-signed")
