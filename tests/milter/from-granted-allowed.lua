-- A login may send as an address it was granted; that domain has no
-- DKIM key, so the message passes unsigned.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
local conn = t.connect("192.0.2.10")
t.mail(conn, "alice@example.se")
local r, stage = t.message(conn, {{"From", "Billing <billing@other.example>"}},
                           "invoice\r\n")
t.expect("granted address allowed, not signed", r, stage, SMFIR_ACCEPT, "eom")
t.unsigned("the message", conn)
mt.disconnect(conn)
