-- A login may send as an alias that delivers to it, also through an
-- alias domain; the signature is for the From domain.
local t = dofile(os.getenv("MILTER_TESTS") .. "/lib.lua")
t.signs("alias", "192.0.2.10", "alice@example.se",
        {{"From", "Info <info@example.se>"}, {"Subject", "from the alias"}},
        "hi\r\n")
local conn = t.connect("192.0.2.10")
t.mail(conn, "alice@example.se")
local r, stage = t.message(conn, {{"From", "alice@example.nu"}}, "hi\r\n")
-- example.nu has no key of its own: accepted at the end of the header.
t.expect("alias domain address allowed", r, stage, SMFIR_ACCEPT, "eom")
mt.disconnect(conn)
